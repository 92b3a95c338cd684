/* Public statistics (/stats/): the monthly trend and the split by NQI element, drawn from the figures the
   page embeds (json_script "public-charts"); the same numbers are in the tables under each chart. */
(function () {
  "use strict";
  var source = document.getElementById("public-charts");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var L = data.labels || {};
  var trendEl = document.getElementById("public-trend");
  if (trendEl) {
    var trend = echarts.init(trendEl);
    trend.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: data.trend.map(function (r) { return r.month; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: L.services, type: "bar", data: data.trend.map(function (r) { return r.services; }) },
        { name: L.problems_solved, type: "line", smooth: true, data: data.trend.map(function (r) { return r.problems_solved; }) }
      ]
    });
    window.addEventListener("resize", function () { trend.resize(); });
  }
  var catEl = document.getElementById("public-category");
  if (catEl) {
    var cat = echarts.init(catEl);
    cat.setOption({
      tooltip: { trigger: "item" },
      series: [{
        type: "pie", radius: ["32%", "58%"], label: { overflow: "none" },
        data: data.by_category.map(function (r) { return { name: r.name, value: r.services }; })
      }]
    });
    window.addEventListener("resize", function () { cat.resize(); });
  }
})();
