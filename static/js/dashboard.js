// Draws the dashboard's charts from the data the page embeds (json_script "chart-data").
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#6c757d"];
  var english = document.documentElement.lang === "en";
  var enrolledLabel = english ? "enrolled" : "peserta";
  var completersLabel = english ? "completers" : "lulus";

  var waveSets = [];
  data.categories.forEach(function (category, index) {
    waveSets.push({ label: category.label + " · " + enrolledLabel, data: category.enrolled, backgroundColor: palette[index % palette.length] });
    waveSets.push({ label: category.label + " · " + completersLabel, data: category.completers, backgroundColor: palette[index % palette.length] + "88" });
  });
  new Chart(document.getElementById("chart-waves"), {
    type: "bar",
    data: { labels: data.waves, datasets: waveSets },
    options: { responsive: true, plugins: { legend: { position: "bottom" } } }
  });

  var outcomeColors = { self_employed: "#198754", employed: "#0d6efd", further_training: "#6f42c1", not_working: "#fd7e14", unreachable: "#6c757d", pending: "#dee2e6" };
  new Chart(document.getElementById("chart-outcomes"), {
    type: "bar",
    data: {
      labels: data.rounds.map(function (round) { return round + (english ? " months" : " bulan"); }),
      datasets: data.outcomes.map(function (item) {
        return { label: item.label || data.outcome_labels[item.status], data: item.counts, backgroundColor: outcomeColors[item.status] };
      })
    },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }, plugins: { legend: { position: "bottom" } } }
  });

  new Chart(document.getElementById("chart-packages"), {
    type: "bar",
    data: {
      labels: data.packages.map(function (item) { return item.label; }),
      datasets: [{ data: data.packages.map(function (item) { return item.count; }), backgroundColor: palette }]
    },
    options: { responsive: true, indexAxis: "y", plugins: { legend: { display: false } } }
  });

  // Each chart's figures as a table too (under "Tabel data"), for screen readers and for reading
  // exact numbers; a gap in a bar (a group under 5) is "< 5" here, as in the other tables.
  function cell(tag, text) {
    var element = document.createElement(tag);
    element.textContent = text;
    if (tag === "th") element.scope = "row";
    return element;
  }
  function tableAfter(canvas, head, rows) {
    var details = document.createElement("details");
    details.className = "mt-2 small chart-table";
    details.appendChild(cell("summary", english ? "Data as a table" : "Tabel data"));
    var table = document.createElement("table");
    table.className = "table table-sm mb-0";
    var headRow = document.createElement("tr");
    head.forEach(function (text) {
      var th = cell("th", text);
      th.scope = "col";
      headRow.appendChild(th);
    });
    table.createTHead().appendChild(headRow);
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("th", row[0]));
      row.slice(1).forEach(function (value) {
        tr.appendChild(cell("td", value === null || value === undefined ? "< 5" : String(value)));
      });
      body.appendChild(tr);
    });
    details.appendChild(table);
    canvas.insertAdjacentElement("afterend", details);
  }
  var first = english ? "Category" : "Kategori";
  tableAfter(
    document.getElementById("chart-waves"),
    [first].concat(data.waves),
    data.categories.reduce(function (rows, category) {
      rows.push([category.label + " · " + enrolledLabel].concat(category.enrolled));
      rows.push([category.label + " · " + completersLabel].concat(category.completers));
      return rows;
    }, [])
  );
  tableAfter(
    document.getElementById("chart-outcomes"),
    [english ? "Status" : "Status"].concat(data.rounds.map(function (round) { return round + (english ? " months" : " bulan"); })),
    data.outcomes.map(function (item) { return [item.label || data.outcome_labels[item.status]].concat(item.counts); })
  );
  tableAfter(
    document.getElementById("chart-packages"),
    [english ? "Status" : "Status", english ? "Packages" : "Paket"],
    data.packages.map(function (item) { return [item.label, item.count]; })
  );
  document.documentElement.dataset.chartsDrawn = "true";
})();
