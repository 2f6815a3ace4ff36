/* Editing plans on the web map, for a key with the plan right (GET
 * /v1/key says so, and which edits the service has): pick a grid (its
 * households, area, workers and neighbours), merge it with a clicked
 * neighbour, split it along a line drawn by clicks, move one of its
 * street blocks to a neighbour that touches it, lock or unlock it.
 * Every edit is first tried (dry_run: the pieces' households and the rule
 * checks, or the refusal) and saved only on "save", with a note, as a new
 * draft, which becomes the plan shown. The diff against the published
 * plan outlines the changed grids on the map and gives the numbers;
 * publishing waits until the service serves the new plan. Words come from
 * app.js's TEXT table; talks only to /v1/key and /v1/plans/... */
(function () {
  'use strict';
  var g = window.govgrid;
  if (!g) return;
  var map = g.map, state = g.state, t = g.t, esc = g.esc;
  var $ = function (id) { return document.getElementById(id); };

  /* What the editor holds: the picked grid (its record from the plan's
   * route), the edit in progress (mode: null, 'merge' waiting for the
   * neighbour, 'split' drawing), the last dry run's request and answer. */
  var ed = { kinds: [], grid: null, mode: null, line: [], lineLayer: null, tried: null, answer: null, diff: null,
             states: {}, blocks: null, blockLayer: null, blockShapes: null, block: null };

  var send = g.sendJSON, refusal = g.refusal;

  /* The edit button shows for a key with the plan right only. */
  function checkKey() {
    $('edit-row').hidden = true;
    if (!state.key) { close(); return Promise.resolve(); }
    return g.getJSON('/v1/key').then(function (res) {
      var can = res.status === 200 && res.body && res.body.rights && res.body.rights.plan;
      ed.kinds = can ? (res.body.edit_kinds || []) : [];
      $('edit-row').hidden = !can;
      if (!can) close();
      Array.prototype.forEach.call(document.querySelectorAll('#editor-actions [data-edit]'), function (b) {
        b.hidden = ed.kinds.indexOf(b.getAttribute('data-edit')) < 0;
      });
    }).catch(function () {});
  }

  function open() {
    loadStates();
    state.editing = true;
    document.body.classList.add('editing');
    document.body.classList.remove('menu-open');
    $('editor').hidden = false;
    map.doubleClickZoom.disable();
    render();
  }
  function close() {
    state.editing = false;
    document.body.classList.remove('editing');
    $('editor').hidden = true;
    map.doubleClickZoom.enable();
    stopLine();
    stopBlocks();
    ed.grid = null; ed.mode = null; ed.tried = null; ed.answer = null;
    highlight(null);
    g.gridLayer.select(null);
  }
  $('edit-open').addEventListener('click', open);
  $('editor-close').addEventListener('click', close);

  function highlight(changes) {
    state.highlight = changes;
    g.gridLayer.restyle();
  }

  /* --- the picked grid -------------------------------------------------- */
  function pick(code) {
    return g.getJSON('/v1/plans/' + state.plan + '/grids/' + encodeURIComponent(code)).then(function (res) {
      if (res.status !== 200) { g.banner(refusal(res)); return; }
      ed.grid = res.body;
      ed.mode = null; ed.tried = null; ed.answer = null;
      stopLine();
      stopBlocks();
      g.gridLayer.select(code);
      render();
      document.body.setAttribute('data-edit-grid', code);
    });
  }
  function gridPanel() {
    var gr = ed.grid;
    if (!gr) return '<p class="hint">' + esc(t('editPick')) + '</p>';
    var row = function (k, v) { return v == null || v === '' ? '' : '<tr><td>' + esc(t(k)) + '</td><td>' + v + '</td></tr>'; };
    var nb = (gr.neighbours || []).map(function (n) {
      return '<button type="button" class="neighbour" data-code="' + esc(n.code) + '">' + esc(String(n.code).slice(-4)) +
        ' · ' + esc(n.households == null ? t('noCount') : t('hh', { n: n.households })) + (n.locked ? ' 🔒' : '') + '</button>';
    }).join(' ');
    return '<div class="code">' + esc(gr.code) + (gr.name ? ' ' + esc(gr.name) : '') + (gr.locked ? ' 🔒 ' + esc(t('locked')) : '') +
      '</div><table>' + row('type', esc(g.typeName(gr.type))) +
      row('households', esc(gr.households == null ? t('noCount') : gr.households)) +
      row('area', gr.area_m2 != null ? esc(g.formatArea(gr.area_m2)) : '') +
      g.workersHtml(gr.workers, gr.contacts_withheld) +
      row('neighbours', nb || '—') + '</table>';
  }

  /* --- the edit in progress ---------------------------------------------- */
  function startEdit(kind) {
    if (!ed.grid) { say(t('editNothing')); return; }
    stopLine();
    stopBlocks();
    ed.tried = null; ed.answer = null;
    if (kind === 'merge') { ed.mode = 'merge'; render(); return; }
    if (kind === 'move') { startBlocks(); return; }
    if (kind === 'split') {
      ed.mode = 'split';
      ed.line = [];
      ed.lineLayer = L.polyline([], { color: '#d7191c', weight: 3, dashArray: '6 4', interactive: false }).addTo(map);
      render();
      return;
    }
    tryEdit({ kind: kind, codes: [ed.grid.code] });
  }
  Array.prototype.forEach.call(document.querySelectorAll('#editor-actions [data-edit]'), function (b) {
    b.addEventListener('click', function () { startEdit(b.getAttribute('data-edit')); });
  });
  function stopLine() {
    if (ed.lineLayer) map.removeLayer(ed.lineLayer);
    ed.lineLayer = null;
    ed.line = [];
  }
  function finishLine() {
    if (ed.mode !== 'split') return;
    /* A double-click gives its point twice (two clicks): once is kept. */
    var pts = ed.line.filter(function (p, i, a) { return i === 0 || p[0] !== a[i - 1][0] || p[1] !== a[i - 1][1]; });
    if (pts.length < 2) return;
    ed.mode = null;
    tryEdit({ kind: 'split', code: ed.grid.code, line: { type: 'LineString', coordinates: pts } });
  }
  $('edit-finish').addEventListener('click', finishLine);

  /* Moving a street block: the grid's blocks (GET .../grids/CODE/blocks)
   * outlined and numbered on the map and listed with their households and
   * the neighbours of the community each touches; a click on a block (map
   * or list) selects it, a neighbour's button tries the move. */
  function startBlocks() {
    var code = ed.grid.code;
    ed.mode = 'move';
    ed.blocks = null;
    render();
    return g.getJSON('/v1/plans/' + state.plan + '/grids/' + encodeURIComponent(code) + '/blocks').then(function (res) {
      if (ed.mode !== 'move' || !ed.grid || ed.grid.code !== code) return;
      if (res.status !== 200) { ed.mode = null; say(refusal(res)); return; }
      ed.blocks = res.body.features || [];
      ed.block = ed.blocks.length === 1 ? ed.blocks[0].id : null;
      ed.blockShapes = L.geoJSON(res.body, {
        interactive: false,
        style: function (f) {
          return { color: '#7b3294', weight: f.id === ed.block ? 3 : 1.5, dashArray: '4 3',
                   fillColor: '#c2a5cf', fillOpacity: f.id === ed.block ? 0.45 : 0.12 };
        }
      });
      /* Each block's number and households at a point inside it. */
      var labels = ed.blocks.map(function (f) {
        var pt = f.properties.point || centre(f);
        return L.marker([pt[1], pt[0]], { interactive: false, keyboard: false, icon: L.divIcon({
          className: 'block-label', iconSize: null,
          html: '<span class="block-tag">' + esc(String(f.id).split('/')[1]) + ' · ' +
                esc(t('hh', { n: f.properties.households })) + '</span>' }) });
      });
      ed.blockLayer = L.layerGroup([ed.blockShapes].concat(labels)).addTo(map);
      document.body.setAttribute('data-edit-blocks', String(ed.blocks.length));
      render();
    });
  }
  /* The middle of a block's box (when the service gives no point). */
  function centre(f) {
    var ring = f.geometry.coordinates[0], x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    ring.forEach(function (p) { x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]); });
    return [(x0 + x1) / 2, (y0 + y1) / 2];
  }
  function stopBlocks() {
    if (ed.blockLayer) map.removeLayer(ed.blockLayer);
    ed.blockShapes = null;
    ed.blockLayer = null;
    ed.blocks = null;
    ed.block = null;
    if (ed.mode === 'move') ed.mode = null;
  }
  function selectBlock(id) {
    ed.block = id;
    if (ed.blockShapes) ed.blockShapes.setStyle(ed.blockShapes.options.style);
    render();
  }
  /* The block holding a point: the even-odd rule over its rings. */
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function blockAt(ll) {
    var hit = null;
    (ed.blocks || []).forEach(function (f) {
      var rings = f.geometry && f.geometry.coordinates || [], n = 0;
      rings.forEach(function (r) { if (inRing(r, ll.lng, ll.lat)) n++; });
      if (n % 2 === 1) hit = f.id;
    });
    return hit;
  }
  function moveBlock(id, to) {
    ed.block = id;
    tryEdit({ kind: 'move', code: to, block: id });
  }
  function blocksPanel() {
    if (!ed.blocks) return '<p class="hint">' + esc(t('editChecking')) + '</p>';
    var rows = ed.blocks.map(function (f) {
      var p = f.properties, targets = (p.touches || []).map(function (c) {
        return '<button type="button" class="block-to" data-block="' + esc(f.id) + '" data-code="' + esc(c) + '">' +
          esc(t('moveTo')) + ' ' + esc(String(c).slice(-4)) + '</button>';
      }).join(' ');
      return '<tr class="block' + (f.id === ed.block ? ' selected' : '') + '" data-block="' + esc(f.id) + '"><td>' +
        esc(String(f.id).split('/')[1]) + '</td><td class="hh">' + esc(p.households) + '</td><td>' +
        esc(g.formatArea(p.area_m2 || 0)) + '</td><td>' + (targets || esc(t('noBlockTarget'))) + '</td></tr>';
    }).join('');
    return '<p class="hint">' + esc(t('editPickBlock')) + '</p><table class="blocks"><tr><th>' + esc(t('block')) +
      '</th><th>' + esc(t('households')) + '</th><th>' + esc(t('area')) + '</th><th></th></tr>' + rows + '</table>';
  }

  map.on('click', function (ev) {
    if (!state.editing) return;
    var ll = ev.latlng;
    if (ed.mode === 'split') {
      ed.line.push([Number(ll.lng.toFixed(7)), Number(ll.lat.toFixed(7))]);
      ed.lineLayer.addLatLng(ll);
      render();
      return;
    }
    if (ed.mode === 'move') {
      var b = blockAt(ll);
      if (b) { selectBlock(b); return; }
    }
    var hit = g.gridLayer.featureAt(ll);
    if (!hit) return;
    var code = hit.properties.code;
    if (ed.mode === 'merge' && ed.grid && code !== ed.grid.code) {
      ed.mode = null;
      tryEdit({ kind: 'merge', codes: [ed.grid.code, code] });
      return;
    }
    pick(code);
  });
  map.on('dblclick', function () { if (state.editing && ed.mode === 'split') finishLine(); });

  /* The dry run: what the edit would do, shown before saving. */
  function tryEdit(body) {
    ed.tried = body;
    ed.answer = { checking: true };
    render();
    var req = JSON.parse(JSON.stringify(body));
    req.dry_run = true;
    return send('POST', '/v1/plans/' + state.plan + '/edits', req).then(function (res) {
      if (ed.tried !== body) return;
      ed.answer = res;
      render();
      document.body.setAttribute('data-edit-tried', res.status === 200 ? 'ok' : 'refused');
    });
  }
  function previewPanel() {
    if (ed.mode === 'merge') return '<p class="hint">' + esc(t('editPickNeighbour')) + '</p>';
    if (ed.mode === 'split') return '<p class="hint">' + esc(t('editDrawLine', { n: ed.line.length })) + '</p>';
    return answerPanel() + (ed.mode === 'move' ? blocksPanel() : '');
  }
  function answerPanel() {
    var a = ed.answer;
    if (!a) return '';
    if (a.checking) return '<p class="hint">' + esc(t('editChecking')) + '</p>';
    if (a.status !== 200) return '<p class="refused">' + esc(t('editRefused')) + esc(refusal(a)) + '</p>';
    var b = a.body;
    var rows = (b.grids || []).map(function (x) {
      return '<tr data-code="' + esc(x.code) + '"><td>' + esc(x.code) + '</td><td>' + esc(t(x.change)) + '</td><td class="hh">' +
        esc(x.households == null ? t('noCount') : x.households) + '</td><td>' + esc(g.formatArea(x.area_m2 || 0)) + '</td></tr>';
    }).join('');
    var warn = (b.warnings || []).map(function (w) { return '<li>' + esc(w) + '</li>'; }).join('');
    return '<div class="preview"><b>' + esc(t('editWouldDo')) + ' · ' + esc(t(b.kind)) + '</b><table class="pieces">' + rows +
      '</table><div class="checks">' + esc(t('editWarnings')) + '：' + (warn ? '<ul>' + warn + '</ul>' : esc(t('editNoWarnings'))) +
      '</div></div>';
  }

  /* Saving: the same edit without dry_run; the draft it makes is shown. */
  $('editor-save').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!ed.tried || !ed.answer || ed.answer.status !== 200) return;
    var body = JSON.parse(JSON.stringify(ed.tried));
    var note = $('edit-note').value.trim();
    if (note) body.note = note;
    send('POST', '/v1/plans/' + state.plan + '/edits', body).then(function (res) {
      if (res.status !== 201) { ed.answer = res; render(); return; }
      var plan = res.body.plan, changed = {};
      (res.body.grids || []).forEach(function (x) { changed[x.code] = x.change; });
      $('edit-note').value = '';
      stopBlocks();
      ed.tried = null; ed.answer = null; ed.grid = null;
      state.plan = plan;
      highlight(changed);
      say(t('editSaved', { plan: plan }));
      document.body.setAttribute('data-edit-saved', String(plan));
      return g.reload();
    });
  });
  $('edit-cancel').addEventListener('click', function () {
    stopLine(); stopBlocks(); ed.mode = null; ed.tried = null; ed.answer = null; render();
  });

  /* --- diff and publish ---------------------------------------------------- */
  function publishedPlan() {
    return g.getJSON('/v1/plans').then(function (res) {
      var list = res.status === 200 && Array.isArray(res.body) ? res.body : [];
      var p = list.filter(function (x) { return x.state === 'published'; })[0];
      return p ? p.id : null;
    });
  }
  $('edit-diff').addEventListener('click', function () {
    publishedPlan().then(function (pub) {
      if (!pub) { ed.diff = { note: t('editNoPublished') }; render(); return; }
      if (String(pub) === String(state.plan)) { ed.diff = { note: t('editSamePlan') }; render(); return; }
      return g.getJSON('/v1/plans/' + pub + '/diff/' + state.plan).then(function (res) {
        if (res.status !== 200) { ed.diff = { note: refusal(res) }; render(); return; }
        ed.diff = res.body;
        var changed = {};
        (res.body.grid_changes || []).forEach(function (x) { changed[x.code] = x.change; });
        highlight(changed);
        render();
        document.body.setAttribute('data-diff', res.body.a + '/' + res.body.b);
      });
    });
  });
  function diffPanel() {
    var d = ed.diff;
    if (!d) return '';
    if (d.note) return '<p class="hint">' + esc(d.note) + '</p>';
    var n = function (k, v) { return '<tr><td>' + esc(t(k)) + '</td><td class="n" data-count="' + esc(k) + '">' + esc(v) + '</td></tr>'; };
    var rows = (d.grid_changes || []).map(function (x) {
      return '<tr data-code="' + esc(x.code) + '"><td>' + esc(x.code) + '</td><td>' + esc(t(x.change)) + '</td><td>' +
        esc(x.households_a) + ' → ' + esc(x.households_b) + '</td></tr>';
    }).join('');
    return '<div class="diff"><b>' + esc(t('diffTitle', { a: d.a, b: d.b })) + '</b><table class="counts">' +
      n('added', d.grids.added) + n('retired', d.grids.retired) + n('reshaped', d.grids.reshaped) +
      n('unchanged', d.grids.unchanged) + n('householdsMoved', d.households.moved) + n('householdsTotal', d.households.total) +
      '</table><table class="changes">' + rows + '</table></div>';
  }
  $('edit-publish').addEventListener('click', function () {
    var plan = state.plan;
    say(t('editPublishing'));
    send('POST', '/v1/plans/' + plan + '/publish').then(function (res) {
      if (res.status !== 200) { say(t('editRefused') + refusal(res)); return; }
      say(t('editWaiting', { plan: plan }));
      /* The service switches to a published plan within a second or two
       * (its watcher); /healthz says which plan it serves. */
      var tries = 0;
      var wait = function () {
        return fetch('/healthz').then(function (r) { return r.json(); }).then(function (h) {
          if (h.plan === plan || ++tries > 30) {
            say(t('editPublished', { plan: plan }));
            document.body.setAttribute('data-published', String(plan));
            ed.diff = null;
            highlight(null);
            return g.reload();
          }
          return new Promise(function (r) { setTimeout(r, 300); }).then(wait);
        });
      };
      return wait();
    });
  });

  /* --- drawing the panel ----------------------------------------------------- */
  var message = '';
  function say(text) { message = text; render(); }
  function render() {
    if ($('editor').hidden) return;
    $('editor-title').textContent = t('editTitle', { plan: state.plan || '' });
    $('editor-grid').innerHTML = gridPanel() + (message ? '<p class="message">' + esc(message) + '</p>' : '');
    $('editor-preview').innerHTML = previewPanel();
    $('editor-diff').innerHTML = diffPanel();
    $('edit-finish').hidden = ed.mode !== 'split';
    $('editor-save').hidden = !(ed.answer && ed.answer.status === 200);
    $('edit-publish').disabled = !plansDraft();
    Array.prototype.forEach.call(document.querySelectorAll('#editor-actions [data-edit]'), function (b) {
      b.disabled = !ed.grid;
    });
    var locked = !!(ed.grid && ed.grid.locked);
    $('edit-lock').hidden = ed.kinds.indexOf('lock') < 0 || locked;
    $('edit-unlock').hidden = ed.kinds.indexOf('unlock') < 0 || !locked;
    Array.prototype.forEach.call(document.querySelectorAll('#editor-preview button.block-to'), function (b) {
      b.addEventListener('click', function () { moveBlock(b.getAttribute('data-block'), b.getAttribute('data-code')); });
    });
    Array.prototype.forEach.call(document.querySelectorAll('#editor-preview tr.block'), function (r) {
      r.addEventListener('click', function (ev) {
        if (ev.target.tagName !== 'BUTTON') selectBlock(r.getAttribute('data-block'));
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('#editor-grid button.neighbour'), function (b) {
      b.addEventListener('click', function () {
        if (ed.mode === 'merge' || ed.mode == null) { ed.mode = null; tryEdit({ kind: 'merge', codes: [ed.grid.code, b.getAttribute('data-code')] }); }
      });
    });
  }
  /* The plan shown is a draft (only drafts are published). */
  function plansDraft() { return ed.states[state.plan] === 'draft'; }
  function loadStates() {
    return g.getJSON('/v1/plans').then(function (res) {
      ed.states = {};
      (res.status === 200 && Array.isArray(res.body) ? res.body : []).forEach(function (p) { ed.states[p.id] = p.state; });
      render();
    }).catch(function () {});
  }

  state.onLang = render;
  state.onReload = function () { checkKey(); loadStates(); };
  checkKey();
}());
