/* Statistics dashboard and big screen: fetches the figures (JSON) and draws them with ECharts.
   The map outlines come from /stats/geo/<code>.json (served by the app; no CDN). Clicking a region
   drills down; on the big screen the data refresh every data-refresh seconds. */
(function () {
  "use strict";
  var root = document.getElementById("stats-dashboard");
  if (!root || !window.echarts) return;
  var T = JSON.parse(document.getElementById("stats-i18n").textContent);
  var screen = root.dataset.screen === "1";
  var theme = screen ? "dark" : null;
  var charts = {};
  var mapReady = null; // true: outline registered, false: no outline (bar chart)
  var data = null;
  var figureSelect = root.querySelector("[data-map-figure]");

  function chart(name) {
    var el = root.querySelector('[data-chart="' + name + '"]');
    if (!el) return null;
    if (!charts[name]) charts[name] = echarts.init(el, theme, { renderer: "canvas" });
    return charts[name];
  }
  function fmt(v, key) {
    if (v === null || v === undefined) return "—";
    if (/rate|share/.test(key)) return (v * 100).toFixed(1) + "%";
    if (key === "satisfaction_mean") return Number(v).toFixed(2);
    if (key === "cost_saved" || key === "loss_avoided") {
      if (v >= 1e8) return (v / 1e8).toFixed(2) + T.yi;
      if (v >= 1e4) return (v / 1e4).toFixed(1) + T.wan;
      return Number(v).toFixed(0);
    }
    return Number(v).toLocaleString();
  }
  var bg = screen ? "transparent" : null;
  // Every chart has a table alternative (WCAG 1.1.1; screen readers, printing): a <details> after the chart
  // with the same numbers, built from the chart's own series, so that it never disagrees with the picture.
  function esc(text) { var s = document.createElement("span"); s.textContent = text === undefined || text === null ? "—" : String(text); return s.innerHTML; }
  function tableAlternative(name) {
    var c = charts[name];
    var el = root.querySelector('[data-chart="' + name + '"]');
    if (!c || !el || screen) return;
    var option = c.getOption();
    var series = option.series || [];
    if (!series.length) return;
    var head, rows;
    var axis = [].concat(option.xAxis || [], option.yAxis || []).filter(function (a) { return a.type === "category"; })[0];
    if (axis) {
      head = [""].concat(series.map(function (x) { return x.name; }));
      rows = (axis.data || []).map(function (label, i) {
        return [label].concat(series.map(function (x) { var v = (x.data || [])[i]; return v && typeof v === "object" ? v.value : v; }));
      });
    } else {
      head = ["", series[0].name];
      rows = (series[0].data || []).map(function (d) { return [d.name, d.value]; });
    }
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", (el.closest(".card") && el.closest(".card").querySelector(".card-header") || { textContent: "" }).textContent.trim() + " — " + T.asTable);
    var box = el.parentNode.querySelector('details[data-table-for="' + name + '"]');
    if (!box) {
      box = document.createElement("details");
      box.className = "mt-1 px-2 small";
      box.dataset.tableFor = name;
      el.parentNode.insertBefore(box, el.nextSibling);
    }
    var open = box.open;
    box.innerHTML = "<summary>" + esc(T.asTable) + "</summary><div class='table-responsive' tabindex='0'><table class='table table-sm mb-0'><thead><tr>" +
      head.map(function (h, i) { return "<th scope='col'" + (i ? " class='text-end'" : "") + ">" + esc(h) + "</th>"; }).join("") + "</tr></thead><tbody>" +
      (rows.length ? rows.map(function (r) { return "<tr>" + r.map(function (v, i) { return i ? "<td class='text-end'>" + esc(v === undefined || v === null ? "—" : Number(v).toLocaleString()) + "</td>" : "<th scope='row'>" + esc(v) + "</th>"; }).join("") + "</tr>"; }).join("")
        : "<tr><td colspan='" + head.length + "'>" + esc(T.none) + "</td></tr>") + "</tbody></table></div>";
    box.open = open;
  }
  function drillTo(code) {
    var url = new URL(window.location.href);
    url.searchParams.set("region", code);
    window.location.href = url.toString();
  }
  function regionBars(rows, key, label) {
    var c = chart("map");
    var sorted = rows.slice().sort(function (a, b) { return (b[key] || 0) - (a[key] || 0); });
    c.setOption({
      backgroundColor: bg, title: { text: T.nomap, textStyle: { fontSize: 12, fontWeight: "normal" } },
      grid: { left: 110, right: 20, top: 30, bottom: 20 }, tooltip: {},
      xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: sorted.map(function (r) { return r.label; }) },
      series: [{ type: "bar", name: label, data: sorted.map(function (r) { return { value: r[key], code: r.key }; }) }]
    }, true);
    c.off("click");
    c.on("click", function (p) { if (p.data && p.data.code && p.data.code !== data.region.code) drillTo(p.data.code); });
  }
  function drawMap() {
    var key = figureSelect ? figureSelect.value : "services";
    var meta = (data.figures || []).filter(function (f) { return f.key === key; })[0];
    var label = meta ? meta.label : T.services;
    var rows = data.child_region || [];
    if (!mapReady) { regionBars(rows, key, label); return; }
    var values = rows.map(function (r) { return r[key] || 0; });
    var max = Math.max.apply(null, values.concat([1]));
    var byName = {};
    rows.forEach(function (r) { byName[r.label] = r; });
    var c = chart("map");
    c.setOption({
      backgroundColor: bg,
      tooltip: { trigger: "item", formatter: function (p) { var r = byName[p.name]; return p.name + "<br>" + label + "：" + (r ? fmt(r[key], key) : "—"); } },
      // The handles label the range once (no separate min/max text, which showed the maximum twice).
      visualMap: { min: 0, max: max, left: 10, bottom: 10, calculable: true,
                   formatter: function (v) { return fmt(v, key); },
                   inRange: { color: screen ? ["#0b3a75", "#1f8fff", "#ffd25e"] : ["#e3f2fd", "#42a5f5", "#0d47a1"] },
                   textStyle: { color: screen ? "#d8e6ff" : "#333" } },
      series: [{ type: "map", map: "r" + data.region.code, roam: true, selectedMode: false, name: label,
                 // A halo keeps the names readable on the darkest and the lightest areas alike.
                 label: { show: true, fontSize: 10, color: screen ? "#f2f7ff" : "#1a1a1a",
                          textBorderColor: screen ? "#06142b" : "#ffffff", textBorderWidth: 2 },
                 itemStyle: { areaColor: screen ? "#0b2a55" : "#f5f5f5", borderColor: screen ? "#3fa7ff" : "#999" },
                 data: rows.map(function (r) { return { name: r.label, value: r[key] || 0, code: r.key }; }) }]
    }, true);
    c.off("click");
    c.on("click", function (p) {
      var r = byName[p.name];
      if (r && r.key !== data.region.code && data.region.level !== "county") drillTo(r.key);
    });
  }
  function bars(name, rows, horizontal) {
    var c = chart(name);
    if (!c) return;
    var labels = rows.map(function (r) { return r.label; });
    var axisCat = { type: "category", data: labels, inverse: !!horizontal, axisLabel: { width: 100, overflow: "truncate" } };
    c.setOption({
      backgroundColor: bg, tooltip: { trigger: "axis" },
      grid: { left: horizontal ? 110 : 40, right: 16, top: 16, bottom: horizontal ? 20 : 60 },
      xAxis: horizontal ? { type: "value" } : Object.assign(axisCat, { axisLabel: { rotate: 30, width: 80, overflow: "truncate" } }),
      yAxis: horizontal ? axisCat : { type: "value" },
      series: [{ type: "bar", name: T.services, data: rows.map(function (r) { return r.services; }) }]
    }, true);
  }
  function draw() {
    var s = data.summary;
    root.querySelectorAll("[data-figure]").forEach(function (el) { el.textContent = fmt(s[el.dataset.figure], el.dataset.figure); });
    var p = root.querySelector("[data-period]");
    if (p) p.textContent = data.from + " ~ " + data.to;
    var u = root.querySelector("[data-updated]");
    if (u) u.textContent = new Date().toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
    var months = data.month || [];
    chart("trend").setOption({
      backgroundColor: bg, tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 40, right: 40, top: 30, bottom: 30 },
      xAxis: { type: "category", data: months.map(function (r) { return r.label; }) },
      yAxis: [{ type: "value" }, { type: "value", min: 0, max: 5 }],
      series: [
        { type: "bar", name: T.services, data: months.map(function (r) { return r.services; }) },
        { type: "line", name: T.resolved, data: months.map(function (r) { return r.resolved; }) },
        { type: "line", name: T.problems, data: months.map(function (r) { return r.problems_solved; }) },
        { type: "line", name: T.satisfaction, yAxisIndex: 1, data: months.map(function (r) { return r.satisfaction_mean; }) }
      ]
    }, true);
    var cat = chart("category");
    cat.setOption({ backgroundColor: bg, tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"], name: T.services,
                 data: (data.category || []).map(function (r) { return { name: r.label, value: r.services }; }) }] }, true);
    var ind = (data.industry || []).slice().sort(function (a, b) { return b.services - a.services; }).slice(0, 10);
    bars("industry", ind, true);
    bars("station", data.station || [], true);
    drawTable();
    drawCooperatives();
    ["trend", "category", "industry", "station"].forEach(tableAlternative);
    var tl = root.querySelector('[data-link="test_pass_rate"]');
    if (tl && data.links) tl.href = data.links.test_pass_rate;
    if (mapReady === null) {
      fetch(root.dataset.geo, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("no outline");
        return r.json();
      }).then(function (geo) {
        echarts.registerMap("r" + data.region.code, geo); mapReady = true; drawMap();
      }).catch(function () { mapReady = false; drawMap(); });
    } else {
      drawMap();
    }
  }
  function drawTable() {
    var table = root.querySelector('[data-table="child_region"]');
    if (!table) return;
    var cols = [["services", T.services]].concat((data.figures || []).filter(function (f) { return f.key !== "services"; }).map(function (f) { return [f.key, f.label]; }));
    table.tHead.innerHTML = "<tr><th>" + T.region + "</th>" + cols.map(function (c) { return "<th class='text-end'>" + c[1] + "</th>"; }).join("") + "</tr>";
    var rows = data.child_region || [];
    if (!rows.length) { table.tBodies[0].innerHTML = "<tr><td colspan='" + (cols.length + 1) + "' class='text-body-secondary'>" + T.none + "</td></tr>"; return; }
    table.tBodies[0].innerHTML = rows.map(function (r) {
      var name = document.createElement("span"); name.textContent = r.label;
      var link = r.key !== data.region.code ? "<a href='?region=" + encodeURIComponent(r.key) + "&from=" + data.from + "&to=" + data.to + "'>" + name.innerHTML + "</a>" : name.innerHTML;
      return "<tr><td>" + link + "</td>" + cols.map(function (c) { return "<td class='text-end'>" + fmt(r[c[0]], c[0]) + "</td>"; }).join("") + "</tr>";
    }).join("");
  }
  function drawCooperatives() {
    var table = root.querySelector('[data-table="cooperative"]');
    if (!table) return;
    var body = table.tBodies[0];
    var cols = (body.dataset.columns || "").split(",");
    var rows = data.cooperative || [];
    if (!rows.length) { body.innerHTML = "<tr><td colspan='" + (cols.length + 1) + "' class='text-body-secondary'>" + T.none + "</td></tr>"; return; }
    body.innerHTML = rows.map(function (r) {
      var name = document.createElement("span"); name.textContent = r.label;
      var href = root.dataset.records + "?region=" + encodeURIComponent(data.region.code) + "&from=" + data.from + "&to=" + data.to +
        "&figure=services&cooperative=" + encodeURIComponent(r.key);
      return "<tr><td><a href='" + href + "'>" + name.innerHTML + "</a></td>" + cols.map(function (c) { return "<td class='text-end'>" + fmt(r[c], c) + "</td>"; }).join("") + "</tr>";
    }).join("");
  }
  function load() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) { data = d; draw(); })
      .catch(function () { /* keep the last figures on a failed refresh */ });
  }
  if (figureSelect) figureSelect.addEventListener("change", function () { if (data) drawMap(); });
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  load();
  var every = parseInt(root.dataset.refresh || "0", 10);
  if (every > 0) setInterval(load, every * 1000);
})();
