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

  function narrow(id) { var el = document.getElementById(id); return !!el && el.clientWidth < 520; }

  var t = data.trend;
  mount("chart-trend", {
    tooltip: { trigger: "axis", formatter: axisTooltip(function (v, i) { return i === 3 ? v : pct(v); }) },
    // On a phone the four legend entries take two lines: the plot starts below them, not under them.
    legend: { top: 0, data: [t.t.rate, t.t.lower, t.t.refund, t.t.sold] },
    grid: { left: 10, right: 10, top: narrow("chart-trend") ? 64 : 40, bottom: 10, containLabel: true },
    xAxis: { type: "category", data: t.labels },
    yAxis: [{ type: "value", axisLabel: { formatter: "{value}%" } }, { type: "value", splitLine: { show: false } }],
    series: [
      { name: t.t.rate, type: "line", data: t.rate, smooth: true, symbolSize: 7 },
      { name: t.t.lower, type: "line", data: t.lower, lineStyle: { type: "dashed" }, symbolSize: 4 },
      { name: t.t.refund, type: "line", data: t.refund, smooth: true },
      { name: t.t.sold, type: "bar", yAxisIndex: 1, data: t.sold, itemStyle: { opacity: 0.25 } }
    ]
  }, function (p) { go(t.urls[p.dataIndex]); });

  // Category labels turn further on a narrow chart (a phone) so that neighbours never run into each other;
  // the grid then grows to hold them (containLabel) instead of letting them spill onto what is below.
  function turn(id, count) {
    var el = document.getElementById(id);
    var each = el ? (el.clientWidth - 100) / Math.max(count, 1) : 100;
    return each >= 90 ? 0 : each >= 60 ? 30 : each >= 34 ? 45 : 90;
  }

  var pa = data.pareto;
  mount("chart-pareto", {
    tooltip: { trigger: "axis", formatter: axisTooltip(function (v, i) { return i === 1 ? pct(v) : v; }) },
    grid: { left: 10, right: 10, top: 30, bottom: 10, containLabel: true },
    xAxis: { type: "category", data: pa.labels, axisLabel: { interval: 0, rotate: turn("chart-pareto", pa.labels.length) } },
    yAxis: [{ type: "value" }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: pa.t.count, type: "bar", data: pa.counts },
      // The 80 % line is labelled inside the plot, above its right end: outside it, the label sat on the
      // right axis's own "80%" (the bars are tallest on the left, the cumulative line high on the right).
      { name: pa.t.cumulative, type: "line", yAxisIndex: 1, data: pa.cumulative,
        markLine: { silent: true, symbol: "none", data: [{ yAxis: 80 }], lineStyle: { type: "dashed" },
          label: { position: "insideEndBottom", formatter: "80%", color: "#6b7280" } } }
    ]
  }, function (p) { go(pa.urls[p.dataIndex]); });

  var h = data.heatmap;
  function heatCellWidth() {
    var el = document.getElementById("chart-heatmap");
    return el ? (el.clientWidth - 90) / Math.max(h.categories.length, 1) : 100;
  }
  mount("chart-heatmap", {
    tooltip: {
      formatter: function (p) {
        var c = p.data;
        return esc(h.provinces[c[1]]) + " · " + esc(h.categories[c[0]]) + "<br>" + esc(h.t.rate) + ": " +
          esc(pct(c[2])) + "<br>" + esc(h.t.lower) + ": " + esc(pct(c[5])) + "<br>" + esc(h.t.returned) + " / " +
          esc(h.t.sold) + ": " + esc(c[4]) + " / " + esc(c[3]);
      }
    },
    // The colour scale stands above the grid: below it, its end labels fell on the turned category names.
    grid: { left: 10, right: 20, top: 56, bottom: 10, containLabel: true },
    xAxis: { type: "category", data: h.categories, splitArea: { show: true },
      axisLabel: { interval: 0, rotate: turn("chart-heatmap", h.categories.length) } },
    yAxis: { type: "category", data: h.provinces, splitArea: { show: true } },
    visualMap: { min: 0, max: h.max, calculable: true, orient: "horizontal", left: "center", top: 0, dimension: 2,
      itemHeight: 120, inRange: { color: ["#e8f6ee", "#fff4e5", "#d93026"] }, formatter: function (v) { return pct(v); } },
    // A rate is written in its cell only where the cell is wide enough to hold "100.0".
    series: [{ type: "heatmap", data: h.cells, label: { show: h.cells.length < 300 && heatCellWidth() >= 40,
      formatter: function (p) { return p.data[2] === null ? "" : p.data[2].toFixed(1); } } }]
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
