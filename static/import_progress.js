// Live progress of a contact import: polls the status endpoint and updates the numbers.
// Without JavaScript the page shows the numbers as of its last load.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var labels = JSON.parse(box.getAttribute("data-status-labels") || "{}");
  function update(data) {
    Object.keys(data).forEach(function (key) {
      var el = box.querySelector('[data-stat="' + key + '"]');
      if (el) { el.textContent = key === "status" ? (labels[data[key]] || data[key]) : data[key]; }
    });
    document.getElementById("import-bar").value = data.percent;
    var error = document.getElementById("import-error");
    error.hidden = !data.error;
    error.textContent = data.error || "";
    if (data.status === "finished" || data.status === "failed") {
      window.location.reload();  // show the report of invalid rows
      return;
    }
    window.setTimeout(poll, 1000);
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(update)
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
