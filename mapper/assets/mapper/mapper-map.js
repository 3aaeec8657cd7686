/* mapper's browser side (MIT). Constant code: data arrives only as JSON in MapperMap.start(cfg).
 * Builds markers and popups for large maps, the per-type toggles, time filter, search, legend
 * and town labels. Every string from data reaches the page through esc() or textContent. */
(function () {
  "use strict";
  var ENT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
             "`": "&#96;", "$": "&#36;", "\\": "&#92;"};
  var LATIN = /[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*/g;
  var TIME = {1: "اليوم محدد / exact day", 2: "ضمن أسبوع / within a week",
              3: "ضمن شهر / within a month"};
  var GEO = {1: "في المكان نفسه / at the place", 2: "قرب المكان أو في محيطه / near the place",
             3: "منطقة أوسع فقط / wider area only"};

  function esc(s) { return String(s).replace(/[&<>"'`$\\]/g, function (c) { return ENT[c]; }); }

  /* Escape, and wrap each run of Latin letters, digits and ASCII signs in <bdi>. */
  function bidi(s) {
    var out = "", last = 0, text = String(s), m;
    LATIN.lastIndex = 0;
    while ((m = LATIN.exec(text)) !== null) {
      out += esc(text.slice(last, m.index)) + "<bdi>" + esc(m[0]) + "</bdi>";
      last = m.index + m[0].length;
    }
    return out + esc(text.slice(last));
  }

  function isWebUrl(u) { return typeof u === "string" && /^https?:\/\/[^\s]+$/i.test(u); }

  function line(label, value) { return "<div><b>" + label + ":</b> " + value + "</div>"; }

  /* p: {place_ar, place_en, date, time_precision, type, sub, actor1, actor2, fatalities,
   *     claims: [[party, "claim"|"denial", n]], geo_precision, ev: [before, mark, after],
   *     source, url} */
  function popupHtml(p) {
    var h = '<div class="mapper-popup" dir="rtl" lang="ar">';
    h += '<div class="mp-place"><strong>' + bidi(p.place_ar || p.place_en || "") + "</strong>";
    if (p.place_en && p.place_ar) { h += " <bdi lang=\"en\">" + esc(p.place_en) + "</bdi>"; }
    h += "</div>";
    var date = p.date ? "<bdi>" + esc(p.date) + "</bdi>" : "بلا تاريخ / undated";
    if (p.date && TIME[p.time_precision]) { date += " (" + TIME[p.time_precision] + ")"; }
    h += line("التاريخ / date", date);
    var type = "<bdi>" + esc(p.type) + "</bdi>";
    if (p.sub) { type += " — " + bidi(p.sub); }
    h += line("النوع / type", type);
    var actors = [p.actor1, p.actor2].filter(Boolean).map(bidi).join(" ، ");
    if (actors) { h += line("الأطراف / actors", actors); }
    var dead = p.fatalities === null || p.fatalities === undefined ?
      "غير معروف / unknown" : "<bdi>" + esc(p.fatalities) + "</bdi>";
    h += line("القتلى / fatalities", dead);
    if (p.claims && p.claims.length) {
      h += '<ul class="mp-claims">';
      p.claims.forEach(function (c) {
        var verb = c[1] === "denial" ? "نفى / denied" : "ادّعى / claimed";
        var n = c[2] === null || c[2] === undefined ? "" : " <bdi>" + esc(c[2]) + "</bdi>";
        h += "<li>" + bidi(c[0]) + ": " + verb + n + "</li>";
      });
      h += "</ul>";
    }
    if (GEO[p.geo_precision]) { h += line("دقة الموقع / location precision", GEO[p.geo_precision]); }
    if (p.ev && (p.ev[0] || p.ev[1] || p.ev[2])) {
      h += '<blockquote class="mp-evidence">' + esc(p.ev[0]) +
        (p.ev[1] ? "<mark>" + esc(p.ev[1]) + "</mark>" : "") + esc(p.ev[2]) + "</blockquote>";
    }
    var label = p.source || p.url;
    if (label) {
      var shown = bidi(label);
      if (isWebUrl(p.url)) {
        shown = '<a href="' + esc(p.url) + '" target="_blank" rel="noopener noreferrer">' +
          shown + "</a>";
      }
      h += line("المصدر / source", shown);
    }
    return h + "</div>";
  }

  /* D: the columns of mapper/mapdata.py; a string column holds indices into D.strings
   * (0 = "") or, when most values differ, the strings themselves. */
  function rowToPopup(D, i, types) {
    var S = D.strings;
    function s(col) { var v = col[i]; return typeof v === "number" ? S[v] : v; }
    return {
      place_en: s(D.pen), place_ar: s(D.par), date: s(D.date), time_precision: D.tp[i],
      type: types[D.type[i]].name, sub: s(D.sub), actor1: s(D.a1), actor2: s(D.a2),
      fatalities: D.fat[i], geo_precision: D.gp[i], ev: [s(D.evb), s(D.evm), s(D.eva)],
      source: s(D.src), url: s(D.url),
      claims: (D.claims[i] || []).map(function (c) { return [S[c[0]], c[1] ? "denial" : "claim", c[2]]; })
    };
  }

  /* Column ``name`` as strings (see rowToPopup). */
  function texts(D, name) {
    var S = D.strings;
    return D[name].map(function (v) { return typeof v === "number" ? S[v] : v; });
  }

  function bindRowPopup(marker, D, i, types) {
    marker.bindPopup(function () { return popupHtml(rowToPopup(D, i, types)); }, {maxWidth: 360});
    return marker;
  }

  function dotIcon(color) {
    return L.divIcon({className: "mapper-marker", iconSize: [14, 14],
                      html: '<span class="mapper-dot" style="background:' + color + '"></span>'});
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function control(map, position, build) {
    var C = L.Control.extend({onAdd: function () {
      var box = el("div", "mapper-box leaflet-bar");
      box.setAttribute("dir", "rtl");
      box.setAttribute("lang", "ar");
      build(box);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }});
    return new C({position: position}).addTo(map);
  }

  function entriesFromColumns(D, types) {
    var icons = types.map(function (t) { return dotIcon(t.color); }), out = [];
    var dates = texts(D, "date"), ar = texts(D, "par"), en = texts(D, "pen");
    for (var i = 0; i < D.n; i++) {
      var marker = bindRowPopup(L.marker([D.lat[i], D.lon[i]], {icon: icons[D.type[i]]}), D, i, types);
      out.push({marker: marker, type: D.type[i], date: dates[i] || null, ar: ar[i], en: en[i]});
    }
    return out;
  }

  function readData(cfg) {
    return cfg.data ? JSON.parse(document.getElementById(cfg.data).textContent) : null;
  }

  function mapTypes(cfg) {
    return cfg.types.map(function (t) {
      return {name: t.name, ar: t.ar, color: t.color, group: window[t.group], on: true, count: 0};
    });
  }

  function statusText(shown, total, undated, skipped) {
    return "معروض " + shown + " من " + total + " · بلا تاريخ " + undated +
      " (تبقى ظاهرة) · بلا موقع " + skipped + " / shown " + shown + " of " + total + ", " +
      undated + " undated (always shown), " + skipped + " without location (not drawn)";
  }

  function watchTypes(map, types, apply) {
    types.forEach(function (t) {
      if (!t.group) { return; }
      t.group.on("add", function () { t.on = true; apply(); });
      t.group.on("remove", function () { t.on = false; apply(); });
      t.on = map.hasLayer(t.group);
    });
  }

  function decorate(map, cfg, types, status) {
    L.control.scale({imperial: false}).addTo(map);
    if (cfg.title) { control(map, "topright", function (box) { box.appendChild(el("h3", "mapper-title", cfg.title)); }); }
    if (cfg.offlineBase) { map.getContainer().classList.add("mapper-offline-base"); }
    buildLegend(map, types, cfg.timeline ? null : status);
  }

  function start(cfg) {
    var map = window[cfg.map];
    var container = window[cfg.container];
    var heat = cfg.heat ? window[cfg.heat] : null;
    var types = mapTypes(cfg);
    var D = readData(cfg);
    if (cfg.grid) { window.MapperGrid.start(cfg, map, container, heat, types, D); return; }
    var entries = D ? entriesFromColumns(D, types) : cfg.markers.map(function (m) {
      return {marker: window[m[0]], type: m[1], date: m[2], ar: m[3], en: m[4]};
    });
    entries.forEach(function (e) { e.shown = !D; types[e.type].count += 1; });
    var state = {from: "", to: ""};
    var status = el("div", "mapper-status");

    function apply() {
      var add = [], remove = [], visible = [], undated = 0;
      entries.forEach(function (e) {
        var inTime = !e.date || ((!state.from || e.date >= state.from) &&
                                 (!state.to || e.date <= state.to));
        var want = types[e.type].on && inTime;
        if (!e.date) { undated += 1; }
        if (want) { visible.push(e.marker.getLatLng()); }
        if (want && !e.shown) { add.push(e.marker); }
        if (!want && e.shown) { remove.push(e.marker); }
        e.shown = want;
      });
      if (container.addLayers) {
        if (remove.length) { container.removeLayers(remove); }
        if (add.length) { container.addLayers(add); }
      } else {
        remove.forEach(function (m) { container.removeLayer(m); });
        add.forEach(function (m) { container.addLayer(m); });
      }
      if (heat) { heat.setLatLngs(visible); }
      status.textContent = statusText(visible.length, entries.length, undated, cfg.skipped);
      map.fire("mapper:filtered", {shown: visible.length});
    }

    watchTypes(map, types, apply);
    decorate(map, cfg, types, status);
    var dates = entries.map(function (e) { return e.date; }).filter(Boolean).sort();
    if (cfg.timeline) { buildTimeFilter(map, dates, state, apply, status); }
    buildSearch(map, entries, function (hits) {
      var first = hits[0].marker;
      if (container.zoomToShowLayer) {
        container.zoomToShowLayer(first, function () { first.openPopup(); });
      } else {
        map.setView(first.getLatLng(), Math.max(map.getZoom(), 12));
        first.openPopup();
      }
    });
    if (cfg.towns) { addTowns(map, cfg.towns, cfg.townPane); }
    apply();
    map._mapper = {entries: entries, apply: apply, state: state, types: types};
  }

  function buildLegend(map, types, status) {
    control(map, "bottomright", function (box) {
      if (status) { box.appendChild(status); }
      box.appendChild(el("div", "mapper-heading", "أنواع الأحداث / event types"));
      types.forEach(function (t) {
        var row = el("div", "mapper-legend-row");
        var sw = el("span", "mapper-swatch");
        sw.style.background = t.color;
        row.appendChild(sw);
        row.appendChild(el("span", "", t.ar + " / " + t.name + " (" + t.count + ")"));
        box.appendChild(row);
      });
    });
  }

  /* dates: the sorted dates of all incidents (for the inputs' range). */
  function buildTimeFilter(map, dates, state, apply, status) {
    control(map, "bottomleft", function (box) {
      box.classList.add("mapper-time");
      box.appendChild(el("div", "mapper-heading", "الفترة / time filter"));
      ["from", "to"].forEach(function (key) {
        var label = el("label", "", key === "from" ? "من / from " : "إلى / to ");
        var input = el("input", "mapper-date-" + key);
        input.type = "date";
        if (dates.length) {
          input.min = dates[0];
          input.max = dates[dates.length - 1];
          input.value = key === "from" ? dates[0] : dates[dates.length - 1];
        }
        input.addEventListener("change", function () { state[key] = input.value; apply(); });
        label.appendChild(input);
        box.appendChild(label);
      });
      box.appendChild(status);
    });
  }

  /* entries: [{ar, en, shown}]; open(hits) shows the first hit. */
  function buildSearch(map, entries, open) {
    var names = {};
    entries.forEach(function (e) { if (e.ar) { names[e.ar] = 1; } if (e.en) { names[e.en] = 1; } });
    var listId = "mapper-places-" + L.Util.stamp(map);
    control(map, "topleft", function (box) {
      var input = el("input", "mapper-search");
      input.setAttribute("list", listId);
      input.placeholder = "ابحث عن مكان / search a place";
      var list = el("datalist");
      list.id = listId;
      Object.keys(names).sort().forEach(function (n) {
        var o = el("option"); o.value = n; list.appendChild(o);
      });
      function go() {
        var q = input.value.trim().toLowerCase();
        if (!q) { return; }
        var hits = entries.filter(function (e) {
          return e.shown && (e.ar.toLowerCase() === q || e.en.toLowerCase() === q);
        });
        if (!hits.length) {
          hits = entries.filter(function (e) {
            return e.shown && (e.ar.toLowerCase().indexOf(q) >= 0 || e.en.toLowerCase().indexOf(q) >= 0);
          });
        }
        if (!hits.length) { input.classList.add("mapper-miss"); return; }
        input.classList.remove("mapper-miss");
        open(hits);
      }
      input.addEventListener("change", go);
      input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { go(); } });
      box.appendChild(input);
      box.appendChild(list);
    });
  }

  /* rows: [[lat, lon, label, regionClass?], ...]; town labels show from zoom 9 on. */
  function addTowns(map, rows, pane) {
    rows.forEach(function (r) {
      var region = r[3] ? "mapper-region " + r[3] : "";
      var dot = L.circleMarker([r[0], r[1]], {radius: region ? 0 : 2, color: "#8a8170",
        weight: region ? 0 : 1, fillOpacity: region ? 0 : 0.6, interactive: false, pane: pane});
      var label = el("span", "", r[2]);
      label.setAttribute("dir", "auto");
      dot.bindTooltip(label, {permanent: true, direction: region ? "center" : "right",
        className: region || "mapper-town", interactive: false, pane: pane});
      dot.addTo(map);
    });
    function zoomed() { map.getContainer().classList.toggle("mapper-towns-hidden", map.getZoom() < 9); }
    map.on("zoomend", zoomed);
    zoomed();
  }

  window.MapperMap = {start: start, popupHtml: popupHtml, esc: esc, bidi: bidi,
    rowToPopup: rowToPopup, texts: texts, bindRowPopup: bindRowPopup, dotIcon: dotIcon, el: el,
    statusText: statusText, watchTypes: watchTypes, decorate: decorate,
    buildTimeFilter: buildTimeFilter, buildSearch: buildSearch, addTowns: addTowns};
})();
