/* The organiser's event form shows only the fields that apply: the join link for online and
   hybrid events, the place for events on site, the capacity and registration window for
   registration on this platform, the registration link for registration elsewhere. Every field
   is there without JavaScript; a field showing an error is never hidden. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-event-form]");
  if (!form) {
    return;
  }
  var wrappers = Array.prototype.slice.call(form.querySelectorAll("[data-applies-when]"));

  function value(name) {
    var control = form.elements[name];
    return control ? control.value : null;
  }

  function update() {
    wrappers.forEach(function (wrapper) {
      var rule = wrapper.getAttribute("data-applies-when").split("=");
      var current = value(rule[0]);
      if (current === null) {
        return;
      }
      var applies = rule[1].split(",").indexOf(current) !== -1;
      wrapper.hidden = !applies && !wrapper.classList.contains("has-error");
    });
  }

  form.addEventListener("change", update);
  update();
})();
