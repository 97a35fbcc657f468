// The segment editor's live count: after a change, the form's fields (but the CSRF token
// and the buttons) go to the counting GET, and the answer replaces the count line (the
// server words it in the account's language).
(function () {
  "use strict";
  var form = document.getElementById("segment-form");
  if (!form) { return; }
  var out = document.getElementById("segment-count");
  var timer = null;
  var latest = 0;

  function show(data) {
    out.textContent = "";
    if (data.error) {
      var span = document.createElement("span");
      span.className = "error";
      span.textContent = data.error;
      out.appendChild(span);
      return;
    }
    out.textContent = data.text || "";
  }

  function count() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token") { params.append(name, value); }
    });
    var mine = ++latest;
    fetch(form.dataset.countUrl + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) { if (mine === latest) { show(data); } })
      .catch(function () {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(count, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
