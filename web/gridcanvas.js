/* The grids of a view as one Leaflet layer on one canvas: every polygon in
 * view is painted in one pass (a few features per path, grouped by fill
 * colour and by outline style) instead of one L.Polygon per grid, whose
 * creation, projection and per-path drawing dominated the repaint of views
 * holding thousands of grids. The layer does its own hit testing (a bucket
 * index over the grids' boxes, then point in polygon on the decoded rings)
 * for clicks and hover, and draws the hovered and the selected grid on a
 * second canvas above, so that neither repaints the grids.
 *
 * Features (GeoJSON Polygon or MultiPolygon) are decoded once, into Web
 * Mercator units (the world is 0..1 on both axes) in one typed array per
 * batch, and kept per feature object: a pan or zoom only scales and shifts
 * those numbers while painting, and a feature seen before (a cached answer
 * drawn again) is never decoded again.
 *
 * When the view moves, the last painting is shifted and scaled to the new
 * view at once (a CSS transform), and the grids are painted again when the
 * caller hands over the new view's features (setFeatures, addFeatures) or
 * asks for it (redraw), or after settleMs if it does neither: a move is not
 * painted twice, once with the old view's grids and again with the new
 * ones, unless the caller wants the grids it has shown while it fetches.
 *
 *   var layer = L.gridCanvas({ style: function (f) { return {...}; }, key: function (f) { return id; } });
 *   layer.setFeatures(list);   // replaces the features
 *   layer.addFeatures(list);   // adds those whose key it lacks
 *   layer.featureAt(latlng);   // the feature under a point, or null
 *   layer.select(key); layer.hover(key);
 *
 * style(feature) answers Leaflet's path options { fillColor, fillOpacity,
 * color, weight, dashArray }; it is asked once per feature and again only
 * after restyle(). The map must use Leaflet's default CRS (EPSG:3857). */
(function () {
  'use strict';

  var MAX_LATITUDE = 85.0511287798, PER_PATH = 20, BUCKETS = Math.pow(2, 13);
  function mercX(lon) { return lon / 360 + 0.5; }
  function mercY(lat) {
    var s = Math.sin(Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  function polygonsOf(f) {
    var g = f.geometry;
    if (!g || !g.coordinates) return [];
    return g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  }
  /* The rings of a feature in the service's polyline form (encoding
   * "polyline": each ring a string of Google's Encoded Polyline Algorithm
   * Format, (lat, lon) at the geometry's precision), or null. */
  function polylinesOf(f) {
    var g = f.geometry;
    if (!g || g.encoding !== 'polyline' || !g.polylines) return null;
    var out = [];
    for (var p = 0; p < g.polylines.length; p++) for (var r = 0; r < g.polylines[p].length; r++) out.push(g.polylines[p][r]);
    return out;
  }
  /* How many points an encoded polyline holds: every value ends with a
   * character below 95 (63 + 0x20), two values a point. */
  function polylinePoints(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) if (s.charCodeAt(i) < 95) n++;
    return n >> 1;
  }

  /* Records of features: the rings of all of them in one Float64Array of
   * x, y in Mercator units (a record's rings end at the offsets in ends),
   * each record's box in Mercator units (x0 west, y0 north) and in degrees. */
  function decode(features) {
    var total = 0, i, p, r, k, lines;
    for (i = 0; i < features.length; i++) {
      if ((lines = polylinesOf(features[i]))) {
        for (r = 0; r < lines.length; r++) total += polylinePoints(lines[r]);
        continue;
      }
      var polys = polygonsOf(features[i]);
      for (p = 0; p < polys.length; p++) for (r = 0; r < polys[p].length; r++) total += polys[p][r].length;
    }
    var xy = new Float64Array(2 * total), at = 0, out = new Array(features.length);
    var w, s, e, n;
    var put = function (lon, lat) {
      if (lon < w) w = lon;
      if (lon > e) e = lon;
      if (lat < s) s = lat;
      if (lat > n) n = lat;
      xy[at++] = mercX(lon);
      xy[at++] = mercY(lat);
    };
    for (i = 0; i < features.length; i++) {
      var f = features[i], ends = [], start = at;
      w = s = Infinity; e = n = -Infinity;
      if ((lines = polylinesOf(f))) {
        var unit = Math.pow(10, -(f.geometry.precision || 5));
        for (r = 0; r < lines.length; r++) {
          var str = lines[r], lat = 0, lon = 0, idx = 0, len = str.length;
          while (idx < len) {
            var shift = 0, value = 0, c;
            do { c = str.charCodeAt(idx++) - 63; value |= (c & 0x1f) << shift; shift += 5; } while (c >= 0x20);
            lat += value & 1 ? ~(value >>> 1) : value >>> 1;
            shift = value = 0;
            do { c = str.charCodeAt(idx++) - 63; value |= (c & 0x1f) << shift; shift += 5; } while (c >= 0x20);
            lon += value & 1 ? ~(value >>> 1) : value >>> 1;
            put(lon * unit, lat * unit);
          }
          ends.push(at);
        }
      } else {
        var parts = polygonsOf(f);
        for (p = 0; p < parts.length; p++)
          for (r = 0; r < parts[p].length; r++) {
            var ring = parts[p][r];
            for (k = 0; k < ring.length; k++) put(ring[k][0], ring[k][1]);
            ends.push(at);
          }
      }
      out[i] = { feature: f, key: null, xy: xy, start: start, ends: ends, empty: at === start,
                 w: w, s: s, e: e, n: n, x0: mercX(w), y0: mercY(n), x1: mercX(e), y1: mercY(s),
                 style: null, styleGeneration: -1 };
    }
    return out;
  }

  /* Even-odd point in polygon over all rings of a record, in Mercator units. */
  function contains(rec, x, y) {
    var xy = rec.xy, inside = false, start = rec.start;
    for (var r = 0; r < rec.ends.length; r++) {
      var end = rec.ends[r];
      for (var i = start, j = end - 2; i < end; j = i, i += 2) {
        var yi = xy[i + 1], yj = xy[j + 1];
        if ((yi > y) !== (yj > y) && x < (xy[j] - xy[i]) * (y - yi) / (yj - yi) + xy[i]) inside = !inside;
      }
      start = end;
    }
    return inside;
  }

  L.GridCanvas = L.Layer.extend({
    options: {
      padding: 0.1, pane: 'overlayPane', key: null, style: null, settleMs: 1000, className: 'gg-grids',
      hoverStyle: { color: '#0b5ed7', weight: 2 },
      selectStyle: { color: '#0b5ed7', weight: 4, fillColor: '#0b5ed7', fillOpacity: 0.15 }
    },

    initialize: function (options) {
      L.setOptions(this, options);
      this.records = [];
      this.byKey = new Map();
      this.recordOf = typeof Symbol === 'function' ? Symbol('grid record') : 'ggGridRecord';
      this.buckets = new Map();
      this.selectedKey = null;
      this.hoveredKey = null;
      this.lastDrawn = [];
      this.drawRequest = null;
      this.settleTimer = null;
      this.stale = false;
      this.decodedTotal = 0;
      this.styleGeneration = 0;
    },

    keyOf: function (f) {
      if (this.options.key) return String(this.options.key(f));
      return String(f.id != null ? f.id : (f.properties || {}).code);
    },

    /* --- data ---------------------------------------------------------- */
    setFeatures: function (list) {
      this.records = [];
      this.byKey = new Map();
      this.buckets = new Map();
      this.addFeatures(list);
      this.requestDraw();
      return this;
    },
    /* Adds the features whose key the layer lacks; answers how many. */
    addFeatures: function (list) {
      var fresh = [], keys = [], i, f, key;
      for (i = 0; i < list.length; i++) {
        f = list[i]; key = this.keyOf(f);
        if (this.byKey.has(key)) continue;
        this.byKey.set(key, null);
        fresh.push(f); keys.push(key);
      }
      var mark = this.recordOf, undecoded = fresh.filter(function (g) { return !g[mark]; });
      var recs = decode(undecoded);
      this.decodedTotal += recs.length;
      for (i = 0; i < recs.length; i++) undecoded[i][mark] = recs[i];
      for (i = 0; i < fresh.length; i++) {
        var rec = fresh[i][mark];
        rec.key = keys[i];
        this.byKey.set(keys[i], rec);
        this.records.push(rec);
        this.index(rec);
      }
      if (fresh.length || this.stale) this.requestDraw();
      return fresh.length;
    },
    clear: function () { return this.setFeatures([]); },
    count: function () { return this.records.length; },
    get: function (key) { var rec = this.byKey.get(String(key)); return rec ? rec.feature : null; },
    eachFeature: function (fn) { for (var i = 0; i < this.records.length; i++) fn(this.records[i].feature); },
    getBounds: function () {
      var b = L.latLngBounds([]);
      for (var i = 0; i < this.records.length; i++) {
        var r = this.records[i];
        if (!r.empty) { b.extend([r.s, r.w]); b.extend([r.n, r.e]); }
      }
      return b;
    },
    /* Asks the style function again for every feature, drawn now or later
     * (the palette or the layers that change outlines changed). */
    restyle: function () {
      this.styleGeneration++;
      this.requestDraw();
    },
    redraw: function () { this.requestDraw(); },

    /* --- hit testing --------------------------------------------------- */
    index: function (rec) {
      if (rec.empty) return;
      var x0 = Math.floor(rec.x0 * BUCKETS), x1 = Math.floor(rec.x1 * BUCKETS);
      var y0 = Math.floor(rec.y0 * BUCKETS), y1 = Math.floor(rec.y1 * BUCKETS);
      for (var x = x0; x <= x1; x++)
        for (var y = y0; y <= y1; y++) {
          var id = x * BUCKETS + y, list = this.buckets.get(id);
          if (list) list.push(rec); else this.buckets.set(id, [rec]);
        }
    },
    /* The feature under a point (L.LatLng), or null; where features
     * overlap (a dedicated grid inside another), the one with the smaller
     * box. */
    featureAt: function (latlng) {
      var x = mercX(latlng.lng), y = mercY(latlng.lat), best = null, bestArea = Infinity;
      var list = this.buckets.get(Math.floor(x * BUCKETS) * BUCKETS + Math.floor(y * BUCKETS));
      if (!list) return null;
      for (var i = 0; i < list.length; i++) {
        var rec = list[i];
        if (x < rec.x0 || x > rec.x1 || y < rec.y0 || y > rec.y1) continue;
        var area = (rec.x1 - rec.x0) * (rec.y1 - rec.y0);
        if (area < bestArea && contains(rec, x, y)) { best = rec; bestArea = area; }
      }
      return best ? best.feature : null;
    },
    select: function (key) {
      key = key == null ? null : String(key);
      if (key === this.selectedKey) return;
      this.selectedKey = key;
      this.drawHighlight();
    },
    hover: function (key) {
      key = key == null ? null : String(key);
      if (key === this.hoveredKey) return;
      this.hoveredKey = key;
      this.drawHighlight();
    },
    selected: function () { return this.selectedKey; },
    hovered: function () { return this.hoveredKey; },
    /* How many features were decoded since the layer was made. */
    decodedCount: function () { return this.decodedTotal; },

    /* Container-pixel boxes of records in the map's view now. */
    boxes: function (recs) {
      var map = this._map, scale = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin(), pane = map._getMapPanePos();
      var dx = origin.x - pane.x, dy = origin.y - pane.y;
      return recs.map(function (rec) {
        return { key: rec.key, feature: rec.feature,
                 box: [rec.x0 * scale - dx, rec.y0 * scale - dy, rec.x1 * scale - dx, rec.y1 * scale - dy] };
      });
    },
    /* The features whose box meets the map's view, each with its key and
     * its box in container pixels ([x0, y0, x1, y1]). */
    inView: function () {
      var map = this._map;
      if (!map) return [];
      var scale = 256 * Math.pow(2, map.getZoom()), size = map.getSize(), origin = map.getPixelOrigin(), pane = map._getMapPanePos();
      var x0 = (origin.x - pane.x) / scale, y0 = (origin.y - pane.y) / scale;
      var x1 = x0 + size.x / scale, y1 = y0 + size.y / scale, out = [];
      for (var i = 0; i < this.records.length; i++) {
        var r = this.records[i];
        if (!r.empty && r.x1 >= x0 && r.x0 <= x1 && r.y1 >= y0 && r.y0 <= y1) out.push(r);
      }
      return this.boxes(out);
    },
    /* What the last painting drew: each feature's key, fill, outline and
     * box in container pixels (for scripts and the end-to-end test). */
    drawn: function () {
      if (!this._map) return [];
      var recs = this.lastDrawn;
      return this.boxes(recs).map(function (d, i) {
        var s = recs[i].style;
        return { key: d.key, fill: s.fill, fillOpacity: s.fillOpacity, color: s.color, weight: s.weight, box: d.box };
      });
    },

    /* --- the canvases, placed as Leaflet's renderers place theirs -------- */
    onAdd: function (map) {
      if (!this.container) {
        this.container = L.DomUtil.create('div', 'gg-grid-layer');
        this.canvas = L.DomUtil.create('canvas', this.options.className, this.container);
        this.top = L.DomUtil.create('canvas', this.options.className + '-highlight', this.container);
        this.container.style.position = this.canvas.style.position = this.top.style.position = 'absolute';
        this.canvas.style.left = this.canvas.style.top = this.top.style.left = this.top.style.top = '0';
        this.canvas.style.transformOrigin = '0 0';
        this.canvas.style.pointerEvents = this.top.style.pointerEvents = 'none';
        this.ctx = this.canvas.getContext('2d');
        this.topCtx = this.top.getContext('2d');
        if (map._zoomAnimated) L.DomUtil.addClass(this.container, 'leaflet-zoom-animated');
      }
      this.getPane().appendChild(this.container);
      this.bounds = this.painted = null;
      this.highlighted = true;
      this.update();
      if (this.records.length) this.requestDraw();
    },
    onRemove: function () {
      L.DomUtil.remove(this.container);
      if (this.drawRequest) L.Util.cancelAnimFrame(this.drawRequest);
      clearTimeout(this.settleTimer);
      this.drawRequest = this.settleTimer = null;
    },
    getEvents: function () {
      var events = { viewreset: this.reset, zoom: this.onZoom, moveend: this.update };
      if (this._zoomAnimated) events.zoomanim = this.onAnimZoom;
      return events;
    },
    onAnimZoom: function (ev) { this.updateTransform(ev.center, ev.zoom); },
    onZoom: function () { this.updateTransform(this._map.getCenter(), this._map.getZoom()); },
    updateTransform: function (center, zoom) {
      var map = this._map, scale = map.getZoomScale(zoom, this.zoom),
          viewHalf = map.getSize().multiplyBy(0.5 + this.options.padding),
          offset = viewHalf.multiplyBy(-scale).add(map.project(this.center, zoom)).subtract(map._getNewPixelOrigin(center, zoom));
      if (L.Browser.any3d) L.DomUtil.setTransform(this.container, offset, scale);
      else L.DomUtil.setPosition(this.container, offset);
    },
    reset: function () {
      this.update();
      this.updateTransform(this.center, this.zoom);
    },
    /* The view moved: the canvases cover it with a margin, and the last
     * painting is moved along by a CSS transform (no pixel is copied)
     * until the grids are painted again. */
    update: function () {
      var map = this._map;
      if (!map || (map._animatingZoom && this.bounds)) return;
      var p = this.options.padding, size = map.getSize(), min = map.containerPointToLayerPoint(size.multiplyBy(-p)).round();
      this.bounds = L.bounds(min, min.add(size.multiplyBy(1 + p * 2)).round());
      this.center = map.getCenter();
      this.zoom = map.getZoom();
      this.origin = map.getPixelOrigin();
      this.dpr = L.Browser.retina ? 2 : 1;
      L.DomUtil.setPosition(this.container, min);
      if (this.painted) {
        var now = this.frame(), k = now.scale / this.painted.scale;
        L.DomUtil.setTransform(this.canvas, L.point(this.painted.dx * k - now.dx, this.painted.dy * k - now.dy), k);
      }
      this.drawHighlight();
      this.stale = true;
      var self = this;
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(function () { self.requestDraw(); }, this.options.settleMs);
    },
    /* Sizes a canvas to the frame (which clears it) or clears it. */
    resize: function (canvas, ctx, f) {
      var dpr = this.dpr;
      if (canvas.width !== dpr * f.width || canvas.height !== dpr * f.height) {
        canvas.width = dpr * f.width; canvas.height = dpr * f.height;
        canvas.style.width = f.width + 'px'; canvas.style.height = f.height + 'px';
      } else {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, canvas.width, canvas.height);
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    },
    requestDraw: function () {
      if (!this._map || this.drawRequest) return;
      var self = this;
      this.drawRequest = L.Util.requestAnimFrame(function () { self.drawRequest = null; self.draw(); });
    },
    /* Mercator units to canvas pixels at the current placing: x * scale - dx. */
    frame: function () {
      var scale = 256 * Math.pow(2, this.zoom);
      return { scale: scale, dx: this.origin.x + this.bounds.min.x, dy: this.origin.y + this.bounds.min.y,
               width: this.bounds.max.x - this.bounds.min.x, height: this.bounds.max.y - this.bounds.min.y };
    },
    styleOf: function (rec) {
      if (!rec.style || rec.styleGeneration !== this.styleGeneration) {
        var s = this.options.style ? this.options.style(rec.feature) : {};
        rec.styleGeneration = this.styleGeneration;
        rec.style = { fill: s.fillColor || '#3388ff', fillOpacity: s.fillOpacity != null ? s.fillOpacity : 0.2,
                      color: s.color || '#3388ff', weight: s.weight != null ? s.weight : 1,
                      dash: s.dashArray ? String(s.dashArray).split(/[ ,]+/).map(Number) : null };
        rec.style.lineKey = rec.style.color + '|' + rec.style.weight + '|' + (s.dashArray || '');
        rec.style.fillKey = rec.style.fill + '|' + rec.style.fillOpacity;
      }
      return rec.style;
    },
    trace: function (ctx, rec, f) {
      var xy = rec.xy, start = rec.start, scale = f.scale, dx = f.dx, dy = f.dy;
      for (var r = 0; r < rec.ends.length; r++) {
        var end = rec.ends[r];
        ctx.moveTo(xy[start] * scale - dx, xy[start + 1] * scale - dy);
        for (var i = start + 2; i < end; i += 2) ctx.lineTo(xy[i] * scale - dx, xy[i + 1] * scale - dy);
        ctx.closePath();
        start = end;
      }
    },
    /* Fills or strokes records with the context's current style, a few
     * features per path: Chromium's canvas slows down far more than
     * linearly on one path of thousands of rings, and one path per
     * feature pays a fixed cost per call; about 20 per path measured the
     * fastest on the 20,000-grid county. */
    paint: function (ctx, list, f, how) {
      for (var i = 0; i < list.length; i += PER_PATH) {
        ctx.beginPath();
        for (var j = i, end = Math.min(i + PER_PATH, list.length); j < end; j++) this.trace(ctx, list[j], f);
        if (how === 'fill') ctx.fill('evenodd');
        else ctx.stroke();
      }
    },
    /* The one pass over the features in view: fills by colour, then
     * outlines by style, the thickest (flags) last. */
    draw: function () {
      if (!this._map || !this.bounds) return;
      clearTimeout(this.settleTimer);
      this.settleTimer = null;
      var ctx = this.ctx, f = this.frame();
      var x0 = f.dx / f.scale, y0 = f.dy / f.scale, x1 = (f.dx + f.width) / f.scale, y1 = (f.dy + f.height) / f.scale;
      var fills = new Map(), lines = new Map(), drawn = [];
      for (var i = 0; i < this.records.length; i++) {
        var rec = this.records[i];
        if (rec.empty || rec.x1 < x0 || rec.x0 > x1 || rec.y1 < y0 || rec.y0 > y1) continue;
        var s = this.styleOf(rec);
        if (fills.has(s.fillKey)) fills.get(s.fillKey).push(rec); else fills.set(s.fillKey, [rec]);
        if (lines.has(s.lineKey)) lines.get(s.lineKey).push(rec); else lines.set(s.lineKey, [rec]);
        drawn.push(rec);
      }
      this.resize(this.canvas, ctx, f);
      L.DomUtil.setTransform(this.canvas, L.point(0, 0), 1);
      ctx.lineJoin = ctx.lineCap = 'round';
      fills.forEach(function (list) {
        if (!list[0].style.fillOpacity) return;
        ctx.globalAlpha = list[0].style.fillOpacity;
        ctx.fillStyle = list[0].style.fill;
        this.paint(ctx, list, f, 'fill');
      }, this);
      ctx.globalAlpha = 1;
      Array.from(lines.values()).sort(function (a, b) { return a[0].style.weight - b[0].style.weight; }).forEach(function (list) {
        var st = list[0].style;
        if (!st.weight) return;
        ctx.strokeStyle = st.color;
        ctx.lineWidth = st.weight;
        ctx.setLineDash(st.dash || []);
        ctx.lineJoin = ctx.lineCap = st.dash ? 'butt' : 'round';
        this.paint(ctx, list, f, 'stroke');
      }, this);
      ctx.setLineDash([]);
      this.lastDrawn = drawn;
      this.painted = f;
      this.stale = false;
      this.drawHighlight();
      this.fire('draw', { count: drawn.length });
    },
    drawHighlight: function () {
      if (!this._map || !this.bounds) return;
      var ctx = this.topCtx, f = this.frame(), self = this;
      var marks = [[this.hoveredKey, this.options.hoverStyle], [this.selectedKey, this.options.selectStyle]].filter(function (h) {
        return h[0] != null && self.byKey.get(h[0]);
      });
      /* a blank canvas left blank is not handed to the compositor again */
      if (!marks.length && !this.highlighted) return;
      this.resize(this.top, ctx, f);
      this.highlighted = marks.length > 0;
      ctx.lineJoin = ctx.lineCap = 'round';
      marks.forEach(function (h) {
        var rec = self.byKey.get(h[0]);
        ctx.beginPath();
        self.trace(ctx, rec, f);
        if (h[1].fillOpacity) {
          ctx.globalAlpha = h[1].fillOpacity;
          ctx.fillStyle = h[1].fillColor || h[1].color;
          ctx.fill('evenodd');
          ctx.globalAlpha = 1;
        }
        ctx.strokeStyle = h[1].color;
        ctx.lineWidth = h[1].weight;
        ctx.stroke();
      });
    }
  });
  L.gridCanvas = function (options) { return new L.GridCanvas(options); };
}());
