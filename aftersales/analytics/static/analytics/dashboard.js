/* The return-analytics dashboard: four ECharts, each point a link to the cases behind it. */
(function () {
  "use strict";
  var node = document.getElementById("analytics-charts");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var charts = [];
  var pct = function (v) { return v === null || v === undefined ? "—" : v.toFixed(2) + "%"; };
  // Names come from shop data (provinces, categories, channels, reasons): a tooltip is HTML, so every
  // piece of text that goes into one passes through esc(). Axis labels and legends draw on the canvas.
  var esc = function (v) {
    return String(v === null || v === undefined ? "" : v).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[ch];
    });
  };
  // Drill-down links are this server's own paths; anything else (javascript:, another host) is ignored.
  var ownPath = function (url) { return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/"; };
  // Axis tooltips list each series at one category; built here so every name is escaped.
  function axisTooltip(format) {
    return function (items) {
      items = [].concat(items);
      var lines = [esc(items.length ? items[0].name : "")];
      items.forEach(function (it) {
        lines.push(it.marker + esc(it.seriesName) + ": " + esc(format(it.value, it.seriesIndex)));
      });
      return lines.join("<br>");
    };
  }

  function mount(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = window.echarts.init(el);
    chart.setOption(option);
    if (onClick) { chart.on("click", onClick); }
    charts.push(chart);
  }
  function go(url) { if (ownPath(url)) { window.location.href = url; } }

  var t = data.trend;
  mount("chart-trend", {
    tooltip: { trigger: "axis", formatter: axisTooltip(function (v, i) { return i === 3 ? v : pct(v); }) },
    legend: { top: 0, data: [t.t.rate, t.t.lower, t.t.refund, t.t.sold] },
    grid: { left: 50, right: 60, top: 40, bottom: 30 },
    xAxis: { type: "category", data: t.labels },
    yAxis: [{ type: "value", axisLabel: { formatter: "{value}%" } }, { type: "value", splitLine: { show: false } }],
    series: [
      { name: t.t.rate, type: "line", data: t.rate, smooth: true, symbolSize: 7 },
      { name: t.t.lower, type: "line", data: t.lower, lineStyle: { type: "dashed" }, symbolSize: 4 },
      { name: t.t.refund, type: "line", data: t.refund, smooth: true },
      { name: t.t.sold, type: "bar", yAxisIndex: 1, data: t.sold, itemStyle: { opacity: 0.25 } }
    ]
  }, function (p) { go(t.urls[p.dataIndex]); });

  var pa = data.pareto;
  mount("chart-pareto", {
    tooltip: { trigger: "axis", formatter: axisTooltip(function (v, i) { return i === 1 ? pct(v) : v; }) },
    grid: { left: 50, right: 50, top: 30, bottom: 60 },
    xAxis: { type: "category", data: pa.labels, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: [{ type: "value" }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: pa.t.count, type: "bar", data: pa.counts },
      { name: pa.t.cumulative, type: "line", yAxisIndex: 1, data: pa.cumulative,
        markLine: { silent: true, symbol: "none", data: [{ yAxis: 80 }], lineStyle: { type: "dashed" } } }
    ]
  }, function (p) { go(pa.urls[p.dataIndex]); });

  var h = data.heatmap;
  mount("chart-heatmap", {
    tooltip: {
      formatter: function (p) {
        var c = p.data;
        return esc(h.provinces[c[1]]) + " · " + esc(h.categories[c[0]]) + "<br>" + esc(h.t.rate) + ": " +
          esc(pct(c[2])) + "<br>" + esc(h.t.lower) + ": " + esc(pct(c[5])) + "<br>" + esc(h.t.returned) + " / " +
          esc(h.t.sold) + ": " + esc(c[4]) + " / " + esc(c[3]);
      }
    },
    grid: { left: 80, right: 20, top: 10, bottom: 80 },
    xAxis: { type: "category", data: h.categories, splitArea: { show: true }, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "category", data: h.provinces, splitArea: { show: true } },
    visualMap: { min: 0, max: h.max, calculable: true, orient: "horizontal", left: "center", bottom: 0, dimension: 2,
      inRange: { color: ["#e8f6ee", "#fff4e5", "#d93026"] }, formatter: function (v) { return pct(v); } },
    series: [{ type: "heatmap", data: h.cells, label: { show: h.cells.length < 300, formatter: function (p) { return p.data[2] === null ? "" : p.data[2].toFixed(1); } } }]
  }, function (p) { go(h.urls[p.data[0] + "," + p.data[1]]); });

  var ch = data.channels;
  mount("chart-channels", {
    tooltip: { trigger: "axis", formatter: axisTooltip(pct) },
    legend: { top: 0, data: [ch.t.rate, ch.t.refund] },
    grid: { left: 50, right: 20, top: 30, bottom: 30 },
    xAxis: { type: "category", data: ch.labels },
    yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
    series: [{ name: ch.t.rate, type: "bar", data: ch.rate }, { name: ch.t.refund, type: "bar", data: ch.refund }]
  }, function (p) { go(ch.urls[p.dataIndex]); });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
