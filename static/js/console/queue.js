/* Deskbell console, the queue list: the keyboard cursor's row, rows picked for a bulk change (the
   "select all" box, the count, the bar that stays in view), and a list that refreshes itself without
   losing the agent's place. keyboard.js moves the cursor through `deskbellConsole.list`.
   Everything also works without it; this only adds speed. Listeners sit on the document, so they keep
   working after htmx swaps the list: one per event type, each handing on to the handlers below. */
(() => {
  "use strict";

  const LIST = "#queue-list";
  const ROW = `${LIST} tr[data-number]`;
  const QUIET_MS = 15000; // after the agent last touched the list, the refresh waits this long
  let cursor = null; // the number of the ticket under the keyboard cursor
  let touched = 0;

  const rows = () => Array.from(document.querySelectorAll(ROW));
  const picks = () => Array.from(document.querySelectorAll(`${LIST} input[name=ticket]`));
  const inList = (node) => node instanceof Element && node.closest(LIST) !== null;
  const touch = () => {
    touched = Date.now();
  };

  function showCursor(row, focus) {
    for (const other of document.querySelectorAll(`${ROW}.row--cursor`)) {
      other.classList.remove("row--cursor");
      other.removeAttribute("aria-current");
    }
    cursor = row ? row.dataset.number : null;
    if (!row) return;
    row.classList.add("row--cursor");
    row.setAttribute("aria-current", "true");
    if (focus) {
      row.querySelector(".row__subject").focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function moveCursor(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.findIndex((row) => row.dataset.number === cursor);
    const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    showCursor(all[next], true);
  }

  const cursorRow = () => (cursor ? document.querySelector(`${ROW}[data-number="${cursor}"]`) : null);

  function updateSelection() {
    const boxes = picks();
    const chosen = boxes.filter((box) => box.checked).length;
    const all = document.querySelector(`${LIST} [data-select-all]`);
    if (all) {
      all.checked = boxes.length > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }
    const count = document.getElementById("bulk-count");
    if (count) count.textContent = chosen ? count.dataset.some.replace("{n}", chosen) : count.dataset.none;
    for (const box of boxes) box.closest("tr").classList.toggle("row--picked", box.checked);
    document.querySelector(LIST)?.classList.toggle("queue--picking", chosen > 0);
    // With nothing picked the button says it cannot act yet (its description, the hint, says why)
    // instead of fading; without this script the server answers with the same sentence.
    const apply = document.querySelector(`${LIST} .bulkbar__apply`);
    if (apply) apply.setAttribute("aria-disabled", chosen ? "false" : "true");
  }

  // What keyboard.js needs of the list.
  window.deskbellConsole = Object.assign(window.deskbellConsole || {}, {
    list: { rows, moveCursor, cursorRow, touch },
  });

  document.addEventListener("change", (event) => {
    if (!inList(event.target)) return;
    if (event.target.matches("[data-select-all]")) {
      for (const box of picks()) box.checked = event.target.checked;
    }
    updateSelection();
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest(`${LIST} .bulkbar__apply[aria-disabled=true]`)) event.preventDefault();
  });

  for (const type of ["pointerdown", "focusin", "keydown"]) {
    document.addEventListener(type, (event) => {
      if (inList(event.target)) touch();
    });
  }

  // The list's own refresh waits while the agent is busy with it: rows picked, a bulk change being
  // chosen, or anything done in the list lately. The counts in the sidebar keep refreshing.
  document.addEventListener("htmx:confirm", (event) => {
    if (!event.detail.elt.matches("[data-refresh]")) return;
    const preparing = Array.from(document.querySelectorAll("#bulk select")).some((select) => select.value);
    const busy = picks().some((box) => box.checked) || preparing || Date.now() - touched < QUIET_MS;
    if (document.hidden || busy) event.preventDefault();
  });

  // A filter left on "any", or the usual order, stays out of the address: the pushed URL is the
  // same one the pager and the refresh use.
  document.addEventListener("htmx:configRequest", (event) => {
    const form = event.detail.elt;
    if (event.detail.verb !== "get" || !form.matches("[data-drop-defaults]")) return;
    const parameters = event.detail.parameters;
    for (const [name, value] of Array.from(parameters.entries())) {
      if (value === "" || form.elements[name]?.dataset.default === value) parameters.delete(name);
    }
  });

  // After any swap of the list: the cursor stays on its ticket if it is still shown.
  document.addEventListener("htmx:afterSettle", () => {
    if (!document.querySelector(LIST)) return;
    showCursor(cursorRow(), false);
    updateSelection();
  });

  updateSelection();
})();
