// The results page's chart (templates/data/results.html): people trained and completers by kecamatan,
// ranked, as horizontal bars (readable on a phone). The figures come from the page (json_script
// "results-data"); the same figures are in the table under the chart.
(function () {
  "use strict";
  var source = document.getElementById("results-data");
  var canvas = document.getElementById("results-chart");
  if (!source || !canvas || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var grouping = document.documentElement.lang === "en" ? "en-US" : "id-ID";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.legend[0], data: data.trained, backgroundColor: "#0a58ca" },
        { label: data.legend[1], data: data.completers, backgroundColor: "#198754" }
      ]
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, ticks: { precision: 0, callback: function (value) { return Number(value).toLocaleString(grouping); } } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
