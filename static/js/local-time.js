/* Shows an event's time in the visitor's own time zone next to the event's, where they differ.
   Progressive enhancement: without JavaScript the event's own time is shown. */
(function () {
  "use strict";
  var visitorZone;
  try { visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  document.querySelectorAll("time[data-event-zone]").forEach(function (node) {
    var zone = node.getAttribute("data-event-zone");
    if (!visitorZone || visitorZone === zone) { return; }
    var when = new Date(node.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    var lang = document.documentElement.lang || undefined;
    var text = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: visitorZone }).format(when);
    var note = document.createElement("span");
    note.className = "local-time";
    note.textContent = " (" + node.getAttribute("data-local-label") + ": " + text + ")";
    node.insertAdjacentElement("afterend", note);
  });
})();
