// Outbox: the message frame grows to the message's full height (no cut-off footer).
// The frame is same-origin without scripts (display.MESSAGE_CSP_MEASURABLE), so this page
// can read its height; without JavaScript the frame keeps a fixed, resizable height.
(function () {
  var frame = document.getElementById("outbox-frame");
  if (!frame) return;
  function fit() {
    var doc;
    try { doc = frame.contentDocument; } catch (e) { return; }
    if (!doc || !doc.documentElement) return;
    frame.classList.add("sized");
    frame.style.height = "0px";  // measure the content, not the frame
    var height = Math.max(doc.documentElement.scrollHeight, doc.body ? doc.body.scrollHeight : 0);
    frame.style.height = (height + 4) + "px";
  }
  frame.addEventListener("load", function () {
    fit();
    var doc = frame.contentDocument;
    if (doc && window.ResizeObserver && doc.body) {
      new ResizeObserver(fit).observe(doc.body);
    }
  });
  window.addEventListener("resize", fit);
  if (frame.contentDocument && frame.contentDocument.readyState === "complete") fit();
})();
