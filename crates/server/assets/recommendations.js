// The recommendations panel's "Link this berth": the interest's berth is set
// through the interests API (PATCH {"berth_id"}), which audits it and applies
// the berth rules; the page then reloads to show the interest with its berth.
// The panel may be swapped in by htmx more than once: one listener serves all.
(function () {
  "use strict";
  if (window.nimaraRecommendations) return;
  window.nimaraRecommendations = true;

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-link-berth]");
    if (!button) return;
    var panel = button.closest("[data-recommendations]");
    var message = panel.querySelector("[data-recs-message]");
    button.disabled = true;
    fetch(panel.dataset.interestApi, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ berth_id: button.dataset.linkBerth }),
    })
      .then(function (response) {
        if (response.ok) {
          window.location.reload();
          return;
        }
        button.disabled = false;
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (p) {
            if (message) message.textContent = (p.detail || "The berth was not linked") + " (" + response.status + ").";
          });
      })
      .catch(function () {
        button.disabled = false;
        if (message) message.textContent = "The berth was not linked: the server could not be reached.";
      });
  });
})();
