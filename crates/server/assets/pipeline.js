// The pipeline board: drag a card to another column, or pick its stage in the
// card's select (the keyboard way), and the move is saved at once through the
// interests API (PATCH {"pipeline_stage"}). A toast offers to undo it; the
// columns' counts and values are read again from the board API after every
// move, so they always say what the server says.
(function () {
  "use strict";

  var board = document.querySelector("[data-board]");
  if (!board) return;
  var canMove = board.hasAttribute("data-can-move");
  var TOAST_MS = 10000;
  var dragged = null;

  function column(stage) {
    return board.querySelector("[data-drop='" + stage + "']");
  }

  function label(stage) {
    var head = board.querySelector("#col-" + stage);
    return head ? head.firstChild.textContent.trim() : stage;
  }

  function toasts() {
    return document.querySelector("[data-board-toasts]");
  }

  // Built with textContent only: names are user data.
  function toast(text, undo) {
    var item = document.createElement("div");
    item.className = "toast board-toast";
    var body = document.createElement("div");
    body.className = "toast-body";
    var title = document.createElement("p");
    title.className = "toast-title";
    title.textContent = text;
    body.appendChild(title);
    item.appendChild(body);
    if (undo) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small";
      button.textContent = "Undo";
      button.setAttribute("data-undo", "");
      button.addEventListener("click", function () {
        item.remove();
        undo();
      });
      item.appendChild(button);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "icon-button board-toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () {
      item.remove();
    });
    item.appendChild(close);
    toasts().appendChild(item);
    window.setTimeout(function () {
      item.remove();
    }, TOAST_MS);
  }

  // The card goes to the top of its new column: a move sets the interest's
  // last contact to now, and columns are newest contact first.
  function place(card, stage) {
    var list = column(stage);
    if (!list) return;
    list.insertBefore(card, list.firstChild);
    card.dataset.stage = stage;
    var select = card.querySelector("[data-move]");
    if (select) select.value = stage;
  }

  function problem(response) {
    return response
      .json()
      .then(function (p) {
        var detail = p.detail || p.title || "The move was not saved.";
        if (p.errors) {
          Object.keys(p.errors).forEach(function (k) {
            detail += " " + k + ": " + p.errors[k].join(" ");
          });
        }
        return detail;
      })
      .catch(function () {
        return "The move was not saved (" + response.status + ").";
      });
  }

  function refreshTotals() {
    var query = board.dataset.query;
    var url = board.dataset.api + "?limit=0" + (query ? "&" + query : "");
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (!data) return;
        data.columns.forEach(function (c) {
          var section = board.querySelector("[data-column='" + c.stage + "']");
          if (!section) return;
          section.querySelector("[data-count]").textContent = c.count.toLocaleString("en-US");
          var values = section.querySelector("[data-values]");
          values.textContent = "";
          c.values.forEach(function (v) {
            var span = document.createElement("span");
            span.title = v.display;
            span.textContent = v.short;
            values.appendChild(span);
          });
        });
      });
  }

  function move(card, to, undoing) {
    var from = card.dataset.stage;
    if (!to || to === from || card.classList.contains("is-saving")) return;
    place(card, to);
    card.classList.add("is-saving");
    card.setAttribute("aria-busy", "true");
    fetch(board.dataset.interests + card.dataset.card, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ pipeline_stage: to }),
    })
      .then(function (response) {
        card.classList.remove("is-saving");
        card.removeAttribute("aria-busy");
        if (!response.ok) {
          place(card, from);
          return problem(response).then(function (detail) {
            toast(detail, null);
          });
        }
        var name = card.dataset.name;
        if (undoing) {
          toast(name + " moved back to " + label(to) + ".", null);
        } else {
          toast(name + " moved to " + label(to) + ".", function () {
            move(card, from, true);
          });
        }
        return refreshTotals();
      })
      .catch(function () {
        card.classList.remove("is-saving");
        card.removeAttribute("aria-busy");
        place(card, from);
        toast("The move was not saved: the server could not be reached.", null);
      });
  }

  if (!canMove) return;

  board.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("[data-move]");
    if (!select) return;
    var card = select.closest("[data-card]");
    move(card, select.value, false);
    select.focus();
  });

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-card]");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.card);
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    board.querySelectorAll(".is-drop-target").forEach(function (el) {
      el.classList.remove("is-drop-target");
    });
  });

  function dropZone(event) {
    var section = event.target.closest && event.target.closest("[data-column]");
    return section ? section.querySelector("[data-drop]") : null;
  }

  board.addEventListener("dragover", function (event) {
    var zone = dropZone(event);
    if (!zone || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".is-drop-target").forEach(function (el) {
      if (el !== zone) el.classList.remove("is-drop-target");
    });
    zone.classList.add("is-drop-target");
  });

  board.addEventListener("drop", function (event) {
    var zone = dropZone(event);
    if (!zone || !dragged) return;
    event.preventDefault();
    zone.classList.remove("is-drop-target");
    move(dragged, zone.dataset.drop, false);
  });
})();
