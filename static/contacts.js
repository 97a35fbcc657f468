// Contacts: "select all on this page", the count of ticked contacts, the offer to act on
// all contacts matching the search, and the list picker only for list actions. Without
// JavaScript the same form works: tick rows or choose "all matching".
(function () {
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="ids"]'));
  var page = document.getElementById("select-page");
  var ticked = document.getElementById("ticked-count");
  var offer = document.getElementById("select-all-matching");
  var matching = form.querySelector('input[name="scope"][value="matching"]');
  var selected = form.querySelector('input[name="scope"][value="selected"]');
  var action = form.querySelector('select[name="action"]');
  var toList = document.getElementById("to-list-field");
  function update() {
    var count = boxes.filter(function (b) { return b.checked; }).length;
    if (ticked) ticked.textContent = count;
    if (page) {
      page.checked = count === boxes.length && count > 0;
      page.indeterminate = count > 0 && count < boxes.length;
    }
    if (offer) offer.hidden = !(page && page.checked);
    if (count && selected && !(matching && matching.checked)) selected.checked = true;
  }
  if (page) {
    page.hidden = false;
    page.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = page.checked; });
      if (!page.checked && selected) selected.checked = true;
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  var choose = document.getElementById("choose-matching");
  if (choose && matching) {
    choose.addEventListener("click", function () {
      matching.checked = true;
      matching.focus();
    });
  }
  function showList() {
    if (!toList || !action) return;
    toList.hidden = ["add_to_list", "remove_from_list"].indexOf(action.value) < 0;
  }
  if (action) action.addEventListener("change", showList);
  showList();
  update();
})();
