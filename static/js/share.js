/* "Share" on an event: the device's share sheet (Web Share API) where there is one, else copy the
   link. Hidden without JavaScript or either API; the address bar still works. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-share]").forEach(function (button) {
    var url = button.getAttribute("data-url"), title = button.getAttribute("data-title");
    if (!navigator.share && !navigator.clipboard) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.share) {
        navigator.share({title: title, url: url}).catch(function () {});
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
