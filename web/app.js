/* The govgrid web map: grids coloured by type and households, incidents by
 * status; a click locates the point and shows its grid and workers. Talks
 * only to the service that served it (nothing is fetched from elsewhere:
 * no tile layer). */
(function () {
  'use strict';
  var map = L.map('map', { zoomControl: true, attributionControl: true, preferCanvas: false });
  map.attributionControl.setPrefix('govgrid · Leaflet');
  var statusEl = document.getElementById('status');
  var keyEl = document.getElementById('key');
  keyEl.value = sessionStorage.getItem('govgrid-key') || '';
  var gridLayer = L.featureGroup().addTo(map);
  var incidentLayer = L.featureGroup().addTo(map);
  var TYPE_NAMES = { 1: '综合网格', 2: '党政机关', 3: '产业园区', 4: '企事业单位', 5: '商务楼宇', 6: '商圈市场', 7: '景区', 9: '其他专属' };

  function headers() {
    var k = keyEl.value.trim();
    return k ? { 'X-API-Key': k } : {};
  }
  function say(text) { statusEl.textContent = text; }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  /* Dedicated grids in violet; comprehensive ones by households. */
  function gridColour(p) {
    if (p.type !== 1) return '#9e85d1';
    var h = p.households;
    if (h == null || h === 0) return '#d9d9d9'; /* not counted, or no households */
    if (h < 250) return '#fdd49e';
    if (h < 300) return '#fdbb84';
    if (h <= 400) return '#a1d99b';
    if (h <= 500) return '#41ab5d';
    return '#e34a33';
  }
  function statusColour(s) { return s === 'closed' ? '#2b8a3e' : '#d6336c'; }

  function loadGrids() {
    say('loading grids…');
    return fetch('/v1/grids?limit=50000', { headers: headers() }).then(function (r) {
      if (!r.ok) return r.json().then(function (e) { throw new Error((e.error && e.error.message) || r.status); });
      return r.json();
    }).then(function (fc) {
      gridLayer.clearLayers();
      var labels = fc.features.length <= 300; /* codes on the map when they fit, else on hover */
      L.geoJSON(fc, {
        style: function (f) {
          return { color: '#3d3d3d', weight: 1, fillColor: gridColour(f.properties), fillOpacity: 0.75 };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(p.code.slice(-4) + (p.households != null ? ' · ' + p.households + '户' : ''),
                            labels ? { permanent: true, direction: 'center', className: 'grid-label' }
                                   : { sticky: true });
          layer.feature = f;
        }
      }).addTo(gridLayer);
      if (fc.features.length) map.fitBounds(gridLayer.getBounds(), { padding: [10, 10] });
      say(fc.features.length + ' grids, plan ' + fc.plan);
      document.body.setAttribute('data-grids', String(fc.features.length));
    }).catch(function (e) {
      say('grids: ' + e.message);
      document.body.setAttribute('data-grids', 'error');
    });
  }

  function loadIncidents() {
    if (!keyEl.value.trim()) return Promise.resolve();
    return fetch('/open311/v2/requests.json', { headers: headers() }).then(function (r) {
      return r.ok ? r.json() : [];
    }).then(function (list) {
      incidentLayer.clearLayers();
      list.forEach(function (q) {
        if (q.lat == null || q.long == null) return;
        L.circleMarker([q.lat, q.long], { radius: 6, color: '#fff', weight: 1, fillColor: statusColour(q.status), fillOpacity: 1 })
          .bindPopup('<b>' + esc(q.service_name || q.service_code) + '</b><br>#' + esc(q.service_request_id) +
                     ' · ' + esc(q.status) + '<br>' + esc(q.grid_code || '—') + ' · ' + esc(q.worker_name || ''))
          .addTo(incidentLayer);
      });
      document.body.setAttribute('data-incidents', String(list.length));
    });
  }

  /* A click anywhere: locate the point, then show its grid with people. */
  map.on('click', function (ev) {
    var ll = ev.latlng;
    fetch('/v1/locate?lon=' + ll.lng.toFixed(7) + '&lat=' + ll.lat.toFixed(7)).then(function (r) {
      return r.json();
    }).then(function (loc) {
      var html = '<div class="located"><span class="code">' + esc(loc.grid_code || '不在网格内') + '</span> ' +
                 esc(loc.status) + (loc.distance_m != null ? ' (' + loc.distance_m + ' m)' : '') + '<br>';
      if (!loc.grid_code) {
        L.popup().setLatLng(ll).setContent(html + '</div>').openOn(map);
        return;
      }
      return fetch('/v1/grids/' + encodeURIComponent(loc.grid_code), { headers: headers() }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (g) {
        if (g) {
          html += esc(TYPE_NAMES[g.type] || ('type ' + g.type)) + ' · ' + (g.households != null ? g.households + '户' : '') +
                  (g.area_m2 != null ? ' · ' + Math.round(g.area_m2) + ' m²' : '') + '<br>';
          (g.workers || []).forEach(function (w) {
            html += esc(w.role) + ': ' + esc(w.name) + (w.phone ? ' ' + esc(w.phone) : '') + '<br>';
          });
        }
        L.popup().setLatLng(ll).setContent(html + '</div>').openOn(map);
      });
    });
  });

  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    var d = L.DomUtil.create('div', 'legend');
    d.innerHTML = '<i style="background:#fdd49e"></i>&lt;250户<br><i style="background:#fdbb84"></i>250–299<br>' +
      '<i style="background:#a1d99b"></i>300–400<br><i style="background:#41ab5d"></i>401–500<br>' +
      '<i style="background:#e34a33"></i>&gt;500<br><i style="background:#9e85d1"></i>专属网格<br>' +
      '<i style="background:#d6336c;border-radius:7px"></i>open <i style="background:#2b8a3e;border-radius:7px"></i>closed';
    return d;
  };
  legend.addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  function loadAll() {
    sessionStorage.setItem('govgrid-key', keyEl.value.trim());
    return loadGrids().then(loadIncidents);
  }
  document.getElementById('load').addEventListener('click', loadAll);
  map.setView([39.9, 116.4], 12);
  window.govgrid = { map: map, reload: loadAll }; /* for scripts and the end-to-end test */
  loadAll();
}());
