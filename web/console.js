/* The dispatcher's console on the web map, for a key with the read right:
 * the incidents of GET /v1/cases as a list and as markers, each coloured
 * by its light (green on time, yellow near its limit, red overdue, grey
 * none), filtered by state, grid, community, department and item; a click
 * opens an incident's detail (GET /v1/cases/{ID}: handler, level, the
 * deadlines, its history) and, for a key with the write right (GET
 * /v1/key), the actions of its state (dispatch, return, extend, feedback,
 * verify, close), each a POST /v1/cases/{ID} with an Idempotency-Key,
 * after which the list and the detail are read again. The layer 红灯事件网格
 * colours grids by their number of open red incidents, counted here from
 * GET /v1/cases?light=red. A `clock` URL parameter (ISO 8601) is sent as
 * `at`: the lights as they will be (or were) then. Words come from app.js's
 * TEXT table. */
(function () {
  'use strict';
  var g = window.govgrid;
  if (!g) return;
  var map = g.map, state = g.state, t = g.t, esc = g.esc;
  var $ = function (id) { return document.getElementById(id); };

  var clock = new URLSearchParams(location.search).get('clock') || '';
  var LIGHT_COLOURS = { green: '#2b8a3e', yellow: '#f2b705', red: '#d7191c', none: '#8c8c8c' };
  /* The actions the console offers, by the states they take an incident
   * from (the loop's table, src/incident/caseflow.c). */
  var ACTIONS = {
    dispatch: ['accepted', 'returned'], 'return': ['dispatched', 'in_progress'], extend: ['dispatched', 'in_progress'],
    feedback: ['dispatched', 'in_progress'], verify: ['fed_back'], close: ['verified']
  };
  var con = { open: false, rights: {}, cases: [], picked: null, detail: null, sends: 0 };
  /* SVG markers, so that each has its light as a class on the page. */
  var markers = L.layerGroup();
  var svg = L.svg({ padding: 0.3 });

  function send(id, body) {
    var key = 'console-' + id + '-' + body.action + '-' + Date.now().toString(36) + '-' + (++con.sends);
    return g.sendJSON('POST', '/v1/cases/' + encodeURIComponent(id), body, { 'Idempotency-Key': key });
  }
  function query(extra) {
    var q = [];
    var add = function (k, v) { if (v) q.push(k + '=' + encodeURIComponent(v)); };
    add('state', $('cf-state').value);
    add('grid', $('cf-grid').value.trim());
    add('community', $('cf-community').value.trim());
    add('department', $('cf-department').value.trim());
    add('item', $('cf-item').value.trim());
    add('at', clock);
    return '/v1/cases?' + q.concat(extra || []).join('&');
  }
  /* 'closed' is already the Open311 status's word (已办结); a closed case is 已结案. */
  function stateName(s) { return t(s === 'closed' ? 'closed_case' : s); }
  function when(s) { return s ? String(s).replace('T', ' ').replace('Z', ' UTC') : '—'; }

  /* The console's button shows for a key with the read right; the action
   * buttons for one with the write right. */
  function checkKey() {
    $('console-row').hidden = true;
    con.rights = {};
    if (!state.key) { close(); return Promise.resolve(); }
    return g.getJSON('/v1/key').then(function (res) {
      con.rights = res.status === 200 && res.body && res.body.rights ? res.body.rights : {};
      $('console-row').hidden = !con.rights.read;
      if (!con.rights.read) close();
      else if (con.open) { load(); renderDetail(); }
      loadRedGrids();
    }).catch(function () {});
  }

  function open() {
    con.open = true;
    document.body.classList.add('console-open');
    document.body.classList.remove('menu-open');
    $('console').hidden = false;
    markers.addTo(map);
    return load();
  }
  function close() {
    con.open = false;
    document.body.classList.remove('console-open');
    $('console').hidden = true;
    map.removeLayer(markers);
    con.picked = null; con.detail = null;
  }
  $('console-open').addEventListener('click', open);
  $('console-close').addEventListener('click', close);
  $('console-filter').addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
  $('cf-state').addEventListener('change', function () { load(); });

  /* --- the list and the markers ------------------------------------------ */
  function load() {
    $('console-clock').textContent = clock ? t('clockAt', { at: clock }) : '';
    return g.getJSON(query()).then(function (res) {
      if (res.status !== 200) { g.banner(g.errorText(res)); return; }
      con.cases = res.body.cases || [];
      renderList(res.body);
      drawMarkers();
      document.body.setAttribute('data-cases', String(con.cases.length));
      if (con.picked) pick(con.picked);
    });
  }
  function lightOf(c) { return c.light || 'none'; }
  function renderList(doc) {
    $('console-summary').textContent = t('casesShown', { n: doc.count }) + (doc.truncated ? t('casesTruncated', { n: doc.count }) : '');
    if (!con.cases.length) { $('console-list').innerHTML = '<p class="hint">' + esc(t('caseNoCases')) + '</p>'; return; }
    var rows = con.cases.map(function (c) {
      var l = lightOf(c);
      return '<tr class="case light-' + esc(l) + (String(c.id) === String(con.picked) ? ' selected' : '') + '" data-id="' + esc(c.id) +
        '" data-light="' + esc(l) + '" data-state="' + esc(c.state) + '"><td><i class="dot" style="background:' + LIGHT_COLOURS[l] +
        '" title="' + esc(t('light_' + l)) + '"></i></td><td class="rid">#' + esc(c.request_id) + '</td><td>' + esc(c.service_code) +
        '</td><td class="st">' + esc(stateName(c.state)) + '</td><td class="lt">' + esc(t('light_' + l)) + '</td><td>' +
        esc(String(c.grid_code || '').slice(-4)) + '</td><td>' + esc(c.handler || '—') + '</td></tr>';
    }).join('');
    $('console-list').innerHTML = '<table class="cases"><tr><th></th><th>#</th><th>' + esc(t('caseItemCode')) + '</th><th>' +
      esc(t('caseStateName')) + '</th><th>' + esc(t('caseLight')) + '</th><th>' + esc(t('grid')) + '</th><th>' +
      esc(t('caseHandlerNow')) + '</th></tr>' + rows + '</table>';
    Array.prototype.forEach.call($('console-list').querySelectorAll('tr.case'), function (tr) {
      tr.addEventListener('click', function () { pick(tr.getAttribute('data-id'), true); });
    });
  }
  function drawMarkers() {
    markers.clearLayers();
    con.cases.forEach(function (c) {
      if (c.lat == null || c.lon == null) return;
      var l = lightOf(c);
      L.circleMarker([c.lat, c.lon], { renderer: svg, radius: 8, color: '#fff', weight: 2, fillColor: LIGHT_COLOURS[l],
                                       fillOpacity: 1, bubblingMouseEvents: false,
                                       className: 'gg-case light-' + l + ' case-' + c.id })
        .on('click', function (ev) { L.DomEvent.stopPropagation(ev); pick(c.id, true); })
        .addTo(markers);
    });
  }

  /* --- one incident ---------------------------------------------------------- */
  function pick(id, fly) {
    con.picked = String(id);
    Array.prototype.forEach.call($('console-list').querySelectorAll('tr.case'), function (tr) {
      tr.classList.toggle('selected', tr.getAttribute('data-id') === con.picked);
    });
    return g.getJSON('/v1/cases/' + encodeURIComponent(id)).then(function (res) {
      if (res.status !== 200) { g.banner(g.errorText(res)); return; }
      con.detail = res.body;
      var listed = con.cases.filter(function (c) { return String(c.id) === con.picked; })[0];
      con.detail.light = listed ? listed.light : null;
      con.detail.due = listed ? listed.due : null;
      con.detail.supervised_by = listed ? listed.supervised_by : null;
      if (fly && listed && listed.lat != null) map.panTo([listed.lat, listed.lon], { animate: false });
      renderDetail();
      document.body.setAttribute('data-case', con.picked);
      document.body.setAttribute('data-case-state', con.detail.state);
    });
  }
  function renderDetail() {
    var c = con.detail;
    $('case-detail').hidden = !c;
    if (!c) return;
    var l = c.light || 'none';
    var row = function (k, v) { return '<tr><td>' + esc(t(k)) + '</td><td>' + esc(v == null || v === '' ? '—' : v) + '</td></tr>'; };
    $('case-info').innerHTML = '<div class="code">#' + esc(c.request_id) + ' · ' + esc(c.service_code) +
      ' <span id="case-state" class="state">' + esc(stateName(c.state)) + '</span> <span id="case-light" class="light light-' + esc(l) +
      '">' + esc(t('light_' + l)) + '</span></div><table>' + row('grid', c.grid_code) + row('caseSource', c.source) +
      row('caseHandlerNow', c.handler) + row('caseLevel', c.level) + row('caseReachBy', when(c.reach_by)) +
      row('caseDeadline', when(c.deadline)) + row('caseCloseBy', when(c.close_by)) + row('caseDue', when(c.due)) +
      (c.supervised_by ? row('caseSupervised', c.supervised_by.name) : '') + '</table>';
    var can = !!con.rights.write;
    $('case-actions').hidden = !can;
    Array.prototype.forEach.call($('case-actions').querySelectorAll('[data-action]'), function (b) {
      var ok = can && ACTIONS[b.getAttribute('data-action')].indexOf(c.state) >= 0;
      b.hidden = !ok;
      b.parentNode.hidden = !Array.prototype.some.call(b.parentNode.querySelectorAll('[data-action]'), function (x) {
        return can && ACTIONS[x.getAttribute('data-action')].indexOf(c.state) >= 0;
      });
    });
    var hist = (c.history || []).map(function (e) {
      return '<li data-action="' + esc(e.action) + '">' + esc(when(e.at)) + ' · ' + esc(t('act_' + e.action)) + ' · ' +
        esc(e.actor) + (e.to ? ' → ' + esc(stateName(e.to)) : '') + (e.handler ? ' · ' + esc(e.handler) : '') +
        (e.note ? ' · ' + esc(e.note) : '') + (e.reason ? ' · ' + esc(e.reason) : '') +
        (e.deadline ? ' · ' + esc(when(e.deadline)) : '') + '</li>';
    }).join('');
    $('case-history').innerHTML = '<b>' + esc(t('caseHistory')) + '</b><ol>' + hist + '</ol>';
  }
  function act(action) {
    var c = con.detail;
    if (!c) return;
    var body = { action: action };
    if (action === 'dispatch') body.to = $('case-handler').value.trim();
    if (action === 'return') body.reason = $('case-reason').value.trim();
    if (action === 'extend') { body.deadline = $('case-deadline').value.trim(); body.approve = $('case-approve').checked; }
    if (action === 'feedback') body.note = $('case-note').value.trim();
    $('case-message').className = '';
    $('case-message').textContent = '…';
    return send(c.id, body).then(function (res) {
      if (res.status !== 200) {
        $('case-message').className = 'refused';
        $('case-message').textContent = g.refusal(res);
        return;
      }
      $('case-message').className = 'message';
      $('case-message').textContent = t('caseDone', { action: t('act_' + action) });
      ['case-handler', 'case-reason', 'case-deadline', 'case-note'].forEach(function (k) { $(k).value = ''; });
      return Promise.all([load(), loadRedGrids()]).then(function () { return pick(c.id); });
    });
  }
  Array.prototype.forEach.call($('case-actions').querySelectorAll('[data-action]'), function (b) {
    b.addEventListener('click', function () { act(b.getAttribute('data-action')); });
  });

  /* --- grids by their open red incidents -------------------------------------- */
  function loadRedGrids() {
    if (!g.layerOn('redGrids') || !con.rights.read) { state.redGrids = null; g.gridLayer.restyle(); return Promise.resolve(); }
    return g.getJSON('/v1/cases?state=open&light=red&limit=10000' + (clock ? '&at=' + encodeURIComponent(clock) : ''))
      .then(function (res) {
        var counts = {};
        (res.status === 200 ? res.body.cases : []).forEach(function (c) {
          if (c.grid_code) counts[c.grid_code] = (counts[c.grid_code] || 0) + 1;
        });
        state.redGrids = counts;
        g.gridLayer.restyle();
        document.body.setAttribute('data-red-grids', Object.keys(counts).sort().map(function (k) {
          return k + ':' + counts[k];
        }).join(','));
      });
  }
  state.onRedGrids = loadRedGrids;

  var onLang = state.onLang, onReload = state.onReload;
  state.onLang = function () { if (onLang) onLang(); if (con.open) { renderList({ count: con.cases.length }); renderDetail(); } };
  state.onReload = function () { if (onReload) onReload(); checkKey(); };
  checkKey();
  window.govgrid.console = { load: load, pick: pick, act: act, open: open };
}());
