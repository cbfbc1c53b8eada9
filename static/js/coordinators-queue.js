// The queue's "Select all on this page" box: shown only when scripts run, it ticks every row.
(function () {
  var all = document.querySelector("[data-bulk-select-all]");
  if (!all) return;
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-bulk-item]"));
  all.hidden = false;
  var label = document.querySelector("[data-bulk-select-all-label]");
  if (label) label.hidden = false;
  all.addEventListener("change", function () {
    items.forEach(function (item) { item.checked = all.checked; });
  });
})();
