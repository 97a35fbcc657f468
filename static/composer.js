// Composer enhancements; the form works without them (every button is a submit).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var box = document.querySelector(".composer");
  if (!box) return;
  var form = box.closest("form");
  var frame = document.getElementById("live-preview");
  var previewUrl = box.getAttribute("data-preview-url");
  var timer = null;

  // The form is submitted into the preview frame (a navigation, not srcdoc), so the
  // preview is served like every rendered message: its own script-forbidding CSP.
  var submitter = document.createElement("button");
  submitter.type = "submit";
  submitter.name = "action";
  submitter.value = "preview";
  submitter.hidden = true;
  submitter.formAction = previewUrl;
  submitter.formTarget = frame.name;
  submitter.formNoValidate = true;
  form.appendChild(submitter);
  frame.addEventListener("load", function () { frame.setAttribute("data-loaded", "1"); });

  function refresh() { submitter.click(); }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 400); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();

  box.querySelectorAll("[data-width]").forEach(function (button) {
    button.addEventListener("click", function () {
      var mobile = button.getAttribute("data-width") === "320";
      frame.classList.toggle("mobile", mobile);
      box.querySelectorAll("[data-width]").forEach(function (b) {
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
    });
  });

  // Pasting from a word processor or a web page keeps its HTML (sanitized on save).
  box.addEventListener("paste", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("block-html")) return;
    var html = event.clipboardData && event.clipboardData.getData("text/html");
    if (!html) return;
    event.preventDefault();
    var body = html.replace(/^[\s\S]*<body[^>]*>/i, "").replace(/<\/body>[\s\S]*$/i, "")
      .replace(/<!--(?:StartFragment|EndFragment)-->/g, "").trim();
    var start = target.selectionStart, end = target.selectionEnd;
    target.value = target.value.slice(0, start) + body + target.value.slice(end);
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });

  var upload = document.getElementById("image-upload");
  if (upload) upload.addEventListener("change", function () {
    if (!upload.files.length) return;
    var data = new FormData();
    data.set("upload-file", upload.files[0]);
    data.set("upload-csrf_token", form.querySelector("[name=csrf_token]").value);
    var result = document.getElementById("upload-result");
    fetch(upload.getAttribute("data-upload-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (json) {
      if (json.error) { result.textContent = json.error; return; }
      result.textContent = (box.dataset.msgUploaded || "{url}").replace("{url}", json.url);
      var empty = Array.prototype.find.call(form.querySelectorAll(".block-image-url"),
        function (input) { return !input.value; });
      if (empty) { empty.value = json.url; later(); }
    });
  });
})();
