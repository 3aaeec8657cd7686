/* mapper's grid clustering for very large maps (MIT). Constant code, loaded after mapper-map.js.
 * Keeps the incidents in flat arrays, never one Leaflet marker each: after every move it bins
 * the incidents in view into screen cells and draws one cluster per cell (or the marker itself
 * when a cell holds one); at the highest zoom it draws the markers in view, incidents at one
 * point spread on a small spiral. Popups are built from the row index when opened. */
(function () {
  "use strict";
  var M = window.MapperMap;
  var CELL = 64;          // cluster cell, screen pixels
  var MAX_MARKERS = 3000; // markers drawn at the highest zoom (the rest stay clustered)

  function mercator(D) {
    var n = D.n, mx = new Float64Array(n), my = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      var s = Math.sin(D.lat[i] * Math.PI / 180);
      s = Math.max(Math.min(s, 0.9999), -0.9999);
      mx[i] = (D.lon[i] + 180) / 360;
      my[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
    return {x: mx, y: my};
  }

  function clusterIcon(count) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var span = M.el("span", "", String(count));
    var div = M.el("div");
    div.appendChild(span);
    return L.divIcon({html: div.outerHTML, iconSize: [40, 40],
                      className: "marker-cluster mapper-cluster mapper-cluster-" + size});
  }

  function Grid(map, layer, D, types) {
    this.map = map; this.layer = layer; this.D = D; this.types = types;
    this.pos = mercator(D);
    this.on = new Uint8Array(D.n);
    this.icons = types.map(function (t) { return M.dotIcon(t.color); });
    this.drawn = {};  // row -> its marker now on the map (reused by the next draw)
    this.items = [];
  }

  Grid.prototype.marker = function (i, latlng, previous) {
    var at = latlng || L.latLng(this.D.lat[i], this.D.lon[i]), m = previous[i];
    if (m) {
      m.setLatLng(at);
    } else {
      m = M.bindRowPopup(L.marker(at, {icon: this.icons[this.D.type[i]]}), this.D, i, this.types);
    }
    this.drawn[i] = m;
    return m;
  };

  /* Visible incidents whose projected point lies in the padded view, as pixel coordinates. */
  Grid.prototype.inView = function (scale, pad) {
    var b = this.map.getPixelBounds(), x0 = b.min.x - pad, y0 = b.min.y - pad;
    var x1 = b.max.x + pad, y1 = b.max.y + pad, on = this.on, px = this.pos.x, py = this.pos.y;
    var idx = [], xs = [], ys = [];
    for (var i = 0, n = this.D.n; i < n; i++) {
      if (!on[i]) { continue; }
      var x = px[i] * scale, y = py[i] * scale;
      if (x < x0 || x > x1 || y < y0 || y > y1) { continue; }
      idx.push(i); xs.push(x); ys.push(y);
    }
    return {idx: idx, x: xs, y: ys, x0: x0, y0: y0, x1: x1, y1: y1};
  };

  Grid.prototype.draw = function () {
    var map = this.map, z = map.getZoom(), scale = 256 * Math.pow(2, z);
    var v = this.inView(scale, CELL), previous = this.drawn, items;
    this.drawn = {};
    if (z >= map.getMaxZoom() && v.idx.length <= MAX_MARKERS) {
      items = this.spread(v, z, previous);
    } else {
      items = this.cells(v, z, previous);
    }
    // markers drawn again stay on the map (an open popup stays open); the rest are replaced
    var layer = this.layer, keep = new Set(items);
    this.items.forEach(function (m) { if (!keep.has(m)) { layer.removeLayer(m); } });
    items.forEach(function (m) { if (!layer.hasLayer(m)) { layer.addLayer(m); } });
    this.items = items;
    map.fire("mapper:drawn", {items: items.length});
  };

  Grid.prototype.cells = function (v, z, previous) {
    var cols = Math.ceil((v.x1 - v.x0) / CELL) + 1, rows = Math.ceil((v.y1 - v.y0) / CELL) + 1;
    var count = new Int32Array(cols * rows), sx = new Float64Array(cols * rows);
    var sy = new Float64Array(cols * rows), first = new Int32Array(cols * rows);
    for (var k = 0; k < v.idx.length; k++) {
      var c = Math.floor((v.x[k] - v.x0) / CELL) + cols * Math.floor((v.y[k] - v.y0) / CELL);
      if (!count[c]) { first[c] = v.idx[k]; }
      count[c] += 1; sx[c] += v.x[k]; sy[c] += v.y[k];
    }
    var out = [], map = this.map, self = this;
    for (var cell = 0; cell < count.length; cell++) {
      if (!count[cell]) { continue; }
      if (count[cell] === 1) { out.push(this.marker(first[cell], null, previous)); continue; }
      var at = map.unproject([sx[cell] / count[cell], sy[cell] / count[cell]], z);
      var cluster = L.marker(at, {icon: clusterIcon(count[cell])});
      cluster.on("click", function (e) {
        self.map.setView(e.latlng, Math.min(self.map.getZoom() + 2, self.map.getMaxZoom()));
      });
      out.push(cluster);
    }
    return out;
  };

  /* Highest zoom: every marker in view; incidents on one pixel go round a spiral. */
  Grid.prototype.spread = function (v, z, previous) {
    var seen = {}, out = [];
    for (var k = 0; k < v.idx.length; k++) {
      var key = Math.round(v.x[k]) + ":" + Math.round(v.y[k]);
      var j = seen[key] = (seen[key] || 0) + 1;
      var r = j === 1 ? 0 : 10 + 4 * Math.sqrt(j), a = j * 2.4;
      var at = this.map.unproject([v.x[k] + r * Math.cos(a), v.y[k] + r * Math.sin(a)], z);
      out.push(this.marker(v.idx[k], at, previous));
    }
    return out;
  };

  /* A string column as integer codes and their values (0 = ""), whatever its encoding. */
  function coded(D, name) {
    var col = D[name], S = D.strings, index = {"": 0}, values = [""], codes = new Int32Array(D.n);
    for (var i = 0; i < D.n; i++) {
      var v = typeof col[i] === "number" ? S[col[i]] : col[i];
      if (!(v in index)) { index[v] = values.length; values.push(v); }
      codes[i] = index[v];
    }
    return {codes: codes, values: values};
  }

  function start(cfg, map, layer, heat, types, D) {
    var grid = new Grid(map, layer, D, types), date = coded(D, "date");
    var state = {from: "", to: ""}, status = M.el("div", "mapper-status");
    var undatedTotal = 0, inRange = new Uint8Array(date.values.length);
    for (var i = 0; i < D.n; i++) { types[D.type[i]].count += 1; if (!date.codes[i]) { undatedTotal += 1; } }

    function apply() {
      var V = date.values;
      for (var s = 1; s < V.length; s++) {
        inRange[s] = (!state.from || V[s] >= state.from) && (!state.to || V[s] <= state.to) ? 1 : 0;
      }
      inRange[0] = 1;
      var shown = 0, on = grid.on, pts = [], withHeat = heat && map.hasLayer(heat);
      for (var k = 0; k < D.n; k++) {
        on[k] = types[D.type[k]].on && inRange[date.codes[k]] ? 1 : 0;
        shown += on[k];
        if (withHeat && on[k]) { pts.push([D.lat[k], D.lon[k]]); }
      }
      if (withHeat) { heat.setLatLngs(pts); }
      status.textContent = M.statusText(shown, D.n, undatedTotal, cfg.skipped);
      grid.draw();
      map.fire("mapper:filtered", {shown: shown});
    }

    M.watchTypes(map, types, apply);
    M.decorate(map, cfg, types, status);
    if (cfg.timeline) { M.buildTimeFilter(map, date.values.slice(1).sort(), state, apply, status); }
    var ar = M.texts(D, "par"), en = M.texts(D, "pen");
    M.buildSearch(map, placesOf(ar, en), function (hits) {
      var i = firstShown(grid, ar, en, hits[0]);
      if (i < 0) { return; }
      map.setView([D.lat[i], D.lon[i]], map.getMaxZoom(), {animate: false});
      grid.draw();
      if (grid.drawn[i]) { grid.drawn[i].openPopup(); }
    });
    if (cfg.towns) { M.addTowns(map, cfg.towns, cfg.townPane); }
    if (heat) { heat.on("add", apply); }
    map.on("moveend", function () { grid.draw(); });
    apply();
    map._mapper = {grid: grid, apply: apply, state: state, types: types};
  }

  /* One search entry per distinct place name pair. */
  function placesOf(ar, en) {
    var seen = {}, out = [];
    for (var i = 0; i < ar.length; i++) {
      var key = ar[i] + "\u0000" + en[i];
      if (key in seen) { continue; }
      seen[key] = 1;
      out.push({ar: ar[i], en: en[i], shown: true});
    }
    return out;
  }

  function firstShown(grid, ar, en, place) {
    for (var i = 0; i < ar.length; i++) {
      if (grid.on[i] && ar[i] === place.ar && en[i] === place.en) { return i; }
    }
    return -1;
  }

  window.MapperGrid = {start: start};
})();
