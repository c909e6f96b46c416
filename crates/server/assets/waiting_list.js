// A berth's waiting list: drag a row to a new place, or focus it and press
// Alt+ArrowUp / Alt+ArrowDown. Either posts the new position to the server,
// which stores it (clamped to the entry's priority) and answers with the
// re-rendered list, swapped in by htmx. The ↑/↓ buttons work without this.
(function () {
  "use strict";
  // The list is re-rendered with this script tag in it: listen only once.
  if (window.nimaraWaitingList) return;
  window.nimaraWaitingList = true;

  var dragged = null;
  var refocus = null;

  function listOf(el) {
    return el && el.closest ? el.closest("[data-waitlist-list]") : null;
  }

  function itemOf(el) {
    return el && el.closest ? el.closest("[data-waitlist-list] > li") : null;
  }

  function send(li, position) {
    var list = listOf(li);
    var panel = li.closest("[data-waiting-list]");
    refocus = li.dataset.entry;
    window.htmx.ajax("POST", list.dataset.moveBase + li.dataset.entry + "/move", {
      target: "#" + panel.id,
      swap: "outerHTML",
      values: { position: String(position), _csrf: list.dataset.csrf }
    });
  }

  document.addEventListener("dragstart", function (event) {
    var li = itemOf(event.target);
    if (!li || !li.hasAttribute("draggable")) return;
    dragged = li;
    li.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.dataset.entry);
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = itemOf(event.target);
    if (!over || listOf(over) !== listOf(dragged)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (over === dragged) return;
    var box = over.getBoundingClientRect();
    var below = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, below ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var li = dragged;
    dragged = null;
    li.classList.remove("is-dragging");
    var items = Array.prototype.slice.call(listOf(li).children);
    var position = items.indexOf(li) + 1;
    if (String(position) !== li.dataset.position) send(li, position);
  });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    var li = itemOf(event.target);
    if (!li || event.target !== li || !li.hasAttribute("draggable")) return;
    event.preventDefault();
    var position = Number(li.dataset.position) + (event.key === "ArrowUp" ? -1 : 1);
    if (position < 1 || position > listOf(li).children.length) return;
    send(li, position);
  });

  // Keep the keyboard on the entry that moved once the new list is in.
  document.addEventListener("htmx:afterSwap", function () {
    if (!refocus) return;
    var li = document.querySelector("[data-waitlist-list] > li[data-entry='" + refocus + "']");
    refocus = null;
    if (li) li.focus();
  });
})();
