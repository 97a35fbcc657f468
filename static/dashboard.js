// Dashboard: draws the subscriber chart (uPlot, vendored) from the table that is its text
// alternative, so the numbers exist once, in the page, and read the same without script.
(function () {
  var box = document.getElementById("growth-chart");
  var table = document.getElementById("growth-table");
  if (!box || !table || !window.uPlot) return;
  // the words come translated from the page (data-label-*), never from this script
  var words = box.dataset;
  var days = [], joined = [], left = [], total = [];
  table.querySelectorAll("tbody tr").forEach(function (row) {
    var cells = row.querySelectorAll("td");
    days.push(Date.parse(row.dataset.day + "T12:00:00Z") / 1000);
    joined.push(+cells[1].textContent);
    left.push(+cells[2].textContent);
    total.push(+cells[3].textContent);
  });
  // dates as the page's language writes them (11/2 in English, 2. 11. in Slovak)
  var language = document.documentElement.lang || "en";
  var short = new Intl.DateTimeFormat(language, {day: "numeric", month: "numeric", timeZone: "UTC"});
  var long = new Intl.DateTimeFormat(language, {dateStyle: "medium", timeZone: "UTC"});
  function options(width) {
    return {
      width: width, height: 260,
      scales: {x: {time: true}, n: {auto: true}},
      axes: [{values: function (u, splits) {
                return splits.map(function (t) { return short.format(new Date(t * 1000)); });
              }},
             {scale: "y", label: words.labelSubscriptions},
             {scale: "n", side: 1, label: words.labelPerDay, grid: {show: false}}],
      series: [
        {label: words.labelDay, value: function (u, t) {
          return t == null ? "--" : long.format(new Date(t * 1000));
        }},
        {label: words.labelSubscriptions, scale: "y", stroke: "#1f5fbf", width: 2},
        {label: words.labelJoined, scale: "n", stroke: "#146c2e", points: {show: true}},
        {label: words.labelLeft, scale: "n", stroke: "#b42318", points: {show: true}},
      ],
    };
  }
  var plot = new uPlot(options(box.clientWidth || 640), [days, total, joined, left], box);
  box.dataset.drawn = "1";
  window.addEventListener("resize", function () {
    plot.setSize({width: box.clientWidth || 640, height: 260});
  });
})();
