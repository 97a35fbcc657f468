// The test send's "merge data of the contact" field: as the editor types, the browser's
// own suggestion list (the <datalist>) is refilled with matching contacts from the server.
// Without JavaScript the list holds the first contacts and any address can be typed.
(function () {
  "use strict";
  var list = document.getElementById("contact-emails");
  var input = list && document.querySelector('input[list="contact-emails"]');
  if (!input) { return; }
  var url = list.getAttribute("data-suggest-url");
  var timer = null;
  var asked = "";
  function fill(addresses) {
    list.replaceChildren.apply(list, addresses.map(function (address) {
      var option = document.createElement("option");
      option.value = address;
      return option;
    }));
  }
  function ask() {
    var typed = input.value.trim();
    if (!typed || typed === asked) { return; }
    asked = typed;
    fetch(url + "?q=" + encodeURIComponent(typed),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (addresses) { if (asked === typed) { fill(addresses); } })
      .catch(function () { asked = ""; });
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 200);
  });
}());
