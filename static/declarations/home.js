// Dashboard charts: the data comes from the page's JSON block (no inline script: CSP).
(function () {
  "use strict";
  var dataEl = document.getElementById("monthly-data");
  var canvas = document.getElementById("monthly-chart");
  if (!dataEl || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(dataEl.textContent);
  var rtl = document.documentElement.dir === "rtl";
  var fa = (document.documentElement.lang || "").indexOf("fa") === 0;
  var colours = ["#1d3557", "#b02a37", "#2a9d8f"];
  // Every number of the chart, axis and tooltips, through the pages' one formatter (static/core/numbers.js).
  var digits = globalThis.tmNumber;
  Chart.defaults.font.family = "Vazirmatn, Tahoma, sans-serif";
  Chart.defaults.animation = false;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (s, i) {
        return {
          label: s.label,
          data: s.data,
          backgroundColor: colours[i % colours.length],
          type: i === 0 ? "bar" : "line",
          borderColor: colours[i % colours.length],
          tension: 0.2,
        };
      }),
    },
    options: {
      maintainAspectRatio: false,
      // Reversed (right to left), the slanted month labels hang left of their ticks and Chart.js pads
      // the wrong side: the newest month's label was cut at the panel's edge.
      layout: { padding: { left: rtl ? 32 : 0 } },
      locale: fa ? "fa-IR" : "en-US",
      plugins: {
        legend: { rtl: rtl, position: "bottom" },
        tooltip: {
          rtl: rtl,
          callbacks: {
            label: function (item) {
              return (item.dataset.label ? item.dataset.label + ": " : "") + digits(item.parsed.y);
            },
          },
        },
      },
      scales: {
        x: { reverse: rtl },
        y: { beginAtZero: true, position: rtl ? "right" : "left", ticks: { callback: digits } },
      },
    },
  });
})();
