// Runs in <head> before the page paints, so a dark page never flashes light.
// The theme is, in order: ?theme=light|dark in the address (not remembered;
// handy for links and screenshots), the choice remembered by the toggle, or
// the system's preference.
(function () {
  "use strict";
  var root = document.documentElement;
  var wanted = new URLSearchParams(window.location.search).get("theme");
  var stored = null;
  try {
    stored = window.localStorage.getItem("nimara-theme");
  } catch (e) {
    // Storage can be off (private windows, policies): fall back to the system.
  }
  var valid = function (t) { return t === "light" || t === "dark"; };
  var system = window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  root.dataset.theme = valid(wanted) ? wanted : valid(stored) ? stored : system;
})();
