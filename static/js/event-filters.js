/* The event list's filters (templates/events/list.html), two small enhancements; without
   JavaScript the form works as it is, applied with its "Show events" button.
   - On a narrow screen the filters fold behind a "Filters" disclosure, so the first events are on
     the first screen (unless the form has an error to show).
   - A change to a checkbox, radio button or menu applies the filters at once, and a change of the
     results' order ("Sort by") applies it at once. */
(function () {
  "use strict";
  var form = document.querySelector("form.filters[data-disclosure]");
  if (!form) { return; }
  var heading = form.querySelector("h2");
  var narrow = window.matchMedia("(max-width: 50rem)").matches;
  if (narrow && !form.querySelector(".error-summary")) {
    var details = document.createElement("details");
    details.className = "filters-disclosure";
    var summary = document.createElement("summary");
    var applied = Array.prototype.filter.call(form.elements, function (field) {
      if (!field.name || field.type === "submit" || field.type === "hidden") { return false; }
      if (field.type === "checkbox" || field.type === "radio") { return field.checked && field.value !== ""; }
      return field.value !== "" && !field.hasAttribute("data-default");
    }).length;
    summary.textContent = form.getAttribute("data-disclosure") + (applied ? " (" + applied + ")" : "");
    details.appendChild(summary);
    Array.prototype.slice.call(form.children).forEach(function (child) {
      if (child !== heading) { details.appendChild(child); }
    });
    form.appendChild(details);
    if (heading) { heading.classList.add("visually-hidden"); }
  }
  // The results' order: a change applies it at once too (its "Sort" button stays for no script).
  Array.prototype.forEach.call(document.querySelectorAll("form.sort-form select[data-autosubmit]"), function (select) {
    select.addEventListener("change", function () {
      select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
    });
  });
  form.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches("input[type=checkbox], input[type=radio], select")) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
})();
