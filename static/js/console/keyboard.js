/* Deskbell console, keyboard shortcuts (listed in templates/console/_shortcuts.html, opened with "?"):
   j/k move the cursor through the queue, x picks the row, Enter opens it; r and n start a reply or an
   internal note; / goes to the search box; in the reply box, Ctrl+Enter (Cmd+Enter on a Mac) sends it.
   One keydown listener on the document, handing each key to its action below; the queue's cursor is
   queue.js's (`deskbellConsole.list`). */
(() => {
  "use strict";

  const list = () => window.deskbellConsole?.list;

  function typing(target) {
    if (!(target instanceof Element)) return false;
    if (target.isContentEditable || target.closest("textarea, select")) return true;
    return target.matches("input") && !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  }

  // The ticket page's reply box (contract: #reply-body and radios named "visibility").
  function writeAs(kind) {
    const body = document.getElementById("reply-body");
    if (!body) return false;
    const radio = document.querySelector(`input[name="visibility"][value="${kind}"]`);
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    body.focus();
    return true;
  }

  function showShortcuts() {
    const dialog = document.getElementById("shortcuts");
    if (!dialog || dialog.open) return false;
    dialog.showModal();
    return true;
  }

  const KEYS = {
    j: () => (list()?.rows().length ? (list().moveCursor(1), true) : false),
    k: () => (list()?.rows().length ? (list().moveCursor(-1), true) : false),
    x: () => {
      const row = list()?.cursorRow();
      if (!row) return false;
      row.querySelector("input[name=ticket]").click();
      return true;
    },
    Enter: (event) => {
      const row = list()?.cursorRow();
      // On the focused link itself, Enter already opens it.
      if (!row || event.target.closest("a, button")) return false;
      window.location.assign(row.querySelector(".row__subject").href);
      return true;
    },
    r: () => writeAs("public"),
    n: () => writeAs("internal"),
    "?": showShortcuts,
    "/": () => {
      const box = document.getElementById("console-search-q");
      if (!box) return false;
      // In a narrow top bar the box is in the folded menu: open it first.
      if (!box.checkVisibility()) document.querySelector("[data-menu-toggle][aria-expanded=false]")?.click();
      box.focus();
      box.select();
      return true;
    },
  };

  // In the reply box, Ctrl+Enter (Cmd+Enter on a Mac) sends it, as the button would.
  function sendReply(event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.target.id !== "reply-body") return;
    event.preventDefault();
    event.target.form.requestSubmit();
  }

  function shortcut(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const action = KEYS[event.key];
    if (action && action(event)) {
      event.preventDefault(); // so "r" is not also typed into the box it just focused
      list()?.touch();
    }
  }

  document.addEventListener("keydown", (event) => {
    sendReply(event);
    shortcut(event);
  });
})();
