// Trend page: draws the monthly balance and the over-40-days line from /api/reports/trend/.
(function () {
  "use strict";
  const box = document.getElementById("trend");
  if (!box || typeof Chart === "undefined") return;
  const colours = { opening: "#6c757d", new: "#0d6efd", settled: "#198754", closed_after_case: "#6f42c1", cancelled: "#ffc107", closing: "#dc3545" };
  Chart.defaults.font.family = "Vazirmatn, Tahoma, sans-serif";
  // The API answers in the language the request names (Accept-Language before the pages' cookie): the browser's
  // own header is often English on a Persian page, so the page names its language for the chart's month labels.
  const lang = document.documentElement.lang || "fa";
  const locale = lang.startsWith("fa") ? "fa-IR" : "en"; // the axis's numbers in the page's digits too
  const headers = { Accept: "application/json", "Accept-Language": lang };
  // The legend and the tooltips read in the page's direction: right to left on a Persian page only.
  const rtl = document.documentElement.dir === "rtl";
  // Every tick and tooltip through the pages' one formatter (static/core/numbers.js): Chart.js's own answers a bare
  // Latin «0» for zero whatever the locale, and a browser's number data may group fa-IR with a Latin comma.
  const number = globalThis.tmNumber;
  const label = (item) => (item.dataset.label ? item.dataset.label + ": " : "") + number(item.parsed.y);
  const plugins = { legend: { rtl: rtl, position: "bottom" }, tooltip: { rtl: rtl, callbacks: { label: label } } };
  // Months run in the page's direction, as the dashboard's chart: the newest on the left of a Persian page.
  const scales = {
    x: { reverse: rtl },
    // Room above the highest point or bar (a single month's bar filled the chart to its top edge).
    y: { beginAtZero: true, grace: "10%", position: rtl ? "right" : "left", ticks: { callback: (value) => number(value) } },
  };
  // Each month in the middle of its own slot (as the bars are): a single month is drawn centred, not on the y axis.
  const lineScales = { ...scales, x: { offset: true, reverse: rtl } };
  fetch(box.dataset.url, { credentials: "same-origin", headers: headers })
    .then((r) => r.json())
    .then((data) => {
      if (!data.labels || data.labels.length === 0) {
        document.getElementById("trend-empty").hidden = false;
        document.getElementById("trend-balance").hidden = true; // no blank chart area above the words
        document.getElementById("trend-aged").hidden = true;
        document.getElementById("trend-balance-title").hidden = true; // nor a chart's heading over no chart
        document.getElementById("trend-aged-title").hidden = true;
        return;
      }
      // Points large enough to see: with one month there is no line, only its points.
      const radius = data.labels.length === 1 ? 6 : 4;
      new Chart(document.getElementById("trend-balance"), {
        type: "line",
        data: {
          labels: data.labels,
          datasets: Object.keys(data.series).map((k) => ({
            label: data.names[k] || k, data: data.series[k], borderColor: colours[k], backgroundColor: colours[k],
            tension: 0.2, pointRadius: radius, pointHoverRadius: radius + 2,
          })),
        },
        options: { aspectRatio: 3, locale: locale, scales: lineScales, plugins: plugins },
      });
      new Chart(document.getElementById("trend-aged"), {
        type: "bar",
        data: { labels: data.labels, datasets: [{ label: data.names.over_40, data: data.over_40, backgroundColor: "#dc3545" }] },
        options: { aspectRatio: 3, locale: locale, scales: scales, plugins: plugins },
      });
    });
})();
