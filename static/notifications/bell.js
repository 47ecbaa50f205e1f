// The bell asks for its count every 30 seconds (htmx: hx-trigger on #bell, notifications/_bell.html).
// Not while the tab is hidden (nobody sees it, and the server is spared); once, at once, when it is shown again.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && event.detail.elt && event.detail.elt.id === "bell") event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    var bell = document.getElementById("bell");
    if (!document.hidden && bell && window.htmx) window.htmx.trigger(bell, "refresh");
  });
})();
