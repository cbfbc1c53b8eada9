/* Shows an event's time in the visitor's own time zone next to the event's, where the clock reads
   differently there (another zone with the same offset, e.g. Berlin for a Paris event, gets no
   note). Progressive enhancement: without JavaScript the event's own time is shown. */
(function () {
  "use strict";
  var visitorZone;
  try { visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  var lang = document.documentElement.lang || "en";
  if (lang === "en") { lang = "en-GB"; }  // the site writes English dates the European way
  // A browser without data for the page's language (Maltese, say) would print "2027 M01 22":
  // British English reads better then.
  if (!Intl.DateTimeFormat.supportedLocalesOf([lang]).length) { lang = "en-GB"; }
  function clock(when, zone) {
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(when);
  }
  document.querySelectorAll("time[data-event-zone]").forEach(function (node) {
    var zone = node.getAttribute("data-event-zone");
    if (!visitorZone || visitorZone === zone) { return; }
    var when = new Date(node.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    var text;
    try {
      text = clock(when, visitorZone);
      if (text === clock(when, zone)) { return; }
    } catch (e) { return; }
    var note = document.createElement("span");
    note.className = "local-time";
    note.textContent = " (" + node.getAttribute("data-local-label") + ": " + text + ")";
    node.insertAdjacentElement("afterend", note);
  });
})();
