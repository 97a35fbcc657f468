// The theme form's live preview: as colours, font, logo or footer change, the preview
// frame is reloaded with the form's current (unsaved) values. Without JavaScript the frame
// shows the theme as it was when the page was loaded.
(function () {
  "use strict";
  var form = document.getElementById("theme-form");
  var frame = document.getElementById("theme-preview");
  if (!form || !frame) { return; }
  var base = frame.getAttribute("data-preview-url");
  var names = ["primary_color", "background_color", "text_color", "font_family", "logo_url",
               "organization", "contact_details", "legal_notice"];
  var timer = null;
  function refresh() {
    var query = new URLSearchParams();
    names.forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input) { query.set(name, input.value); }
    });
    frame.src = base + "?" + query.toString();
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  });
}());
