// Runs in <head> before the page paints, so a dark page never flashes light.
// The theme is, in order: ?theme=light|dark in the address (not remembered;
// handy for links and screenshots), the signed-in user's profile choice
// (data-theme-pref on <html>: light, dark, or system to follow the system),
// the choice this browser remembered from the toggle, or the system's.
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
  var pref = root.dataset.themePref;
  if (valid(wanted)) {
    root.dataset.theme = wanted;
  } else if (valid(pref)) {
    root.dataset.theme = pref;
  } else if (pref === "system") {
    root.dataset.theme = system;
  } else {
    root.dataset.theme = valid(stored) ? stored : system;
  }
})();
