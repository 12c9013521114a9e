/* Deskbell console: keyboard shortcuts, row selection for bulk changes, and a queue that refreshes
   itself without losing the agent's place. Everything also works without it; this only adds speed.
   Listeners sit on the document, so they keep working after htmx swaps the list. */
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

  function typing(target) {
    if (!(target instanceof Element)) return false;
    if (target.isContentEditable || target.closest("textarea, select")) return true;
    return target.matches("input") && !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  }

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
    j: () => (rows().length ? (moveCursor(1), true) : false),
    k: () => (rows().length ? (moveCursor(-1), true) : false),
    x: () => {
      const row = cursorRow();
      if (!row) return false;
      row.querySelector("input[name=ticket]").click();
      return true;
    },
    Enter: (event) => {
      const row = cursorRow();
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
      box.focus();
      box.select();
      return true;
    },
  };

  // In the reply box, Ctrl+Enter (Cmd+Enter on a Mac) sends it, as the button would.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.target.id !== "reply-body") return;
    event.preventDefault();
    event.target.form.requestSubmit();
  });

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const action = KEYS[event.key];
    if (action && action(event)) {
      event.preventDefault(); // so "r" is not also typed into the box it just focused
      touched = Date.now();
    }
  });

  document.addEventListener("change", (event) => {
    if (!inList(event.target)) return;
    if (event.target.matches("[data-select-all]")) {
      for (const box of picks()) box.checked = event.target.checked;
    }
    updateSelection();
  });

  for (const type of ["pointerdown", "focusin", "keydown"]) {
    document.addEventListener(type, (event) => {
      if (inList(event.target)) touched = Date.now();
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

  // Canned replies in the reply box: the search (#canned-q) lists matches already filled in for the
  // ticket; arrow keys move through them, Enter or a click inserts one at the cursor in #reply-body.
  const cannedOptions = () => Array.from(document.querySelectorAll("#canned-results [role=option]"));

  function cannedActive(option) {
    const input = document.getElementById("canned-q");
    for (const other of cannedOptions()) other.setAttribute("aria-selected", String(other === option));
    if (option) {
      input?.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input?.removeAttribute("aria-activedescendant");
    }
  }

  function cannedClose() {
    const results = document.getElementById("canned-results");
    if (results) results.hidden = true;
    document.getElementById("canned-q")?.setAttribute("aria-expanded", "false");
    cannedActive(null);
  }

  function cannedInsert(option) {
    const body = document.getElementById("reply-body");
    if (!body || !option) return;
    const start = body.selectionStart ?? body.value.length;
    body.setRangeText(option.dataset.cannedText, start, body.selectionEnd ?? start, "end");
    body.dispatchEvent(new Event("input", { bubbles: true })); // the live preview follows
    const input = document.getElementById("canned-q");
    if (input) input.value = "";
    cannedClose();
    body.focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.target.id !== "canned-q") return;
    const options = cannedOptions();
    const open = !document.getElementById("canned-results")?.hidden;
    const at = options.findIndex((option) => option.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open || !options.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = at < 0 ? (step > 0 ? 0 : options.length - 1) : (at + step + options.length) % options.length;
      cannedActive(options[next]);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never leave the page with a half-written reply
      if (open) cannedInsert(options[Math.max(at, 0)]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      cannedClose();
    }
  });

  document.addEventListener("click", (event) => {
    const option = event.target instanceof Element ? event.target.closest("#canned-results [role=option]") : null;
    if (option) cannedInsert(option);
  });

  // With JavaScript, "Find" searches in place instead of opening the page of matches.
  document.addEventListener("submit", (event) => {
    if (event.target.id !== "canned-search") return;
    event.preventDefault();
    document.getElementById("canned-q")?.dispatchEvent(new Event("search"));
  });

  document.addEventListener("htmx:afterSettle", () => {
    const results = document.getElementById("canned-results");
    const input = document.getElementById("canned-q");
    if (input && results) input.setAttribute("aria-expanded", String(!results.hidden && cannedOptions().length > 0));
  });

  // The ticket page's presence strip tells the others whether this agent typed in the reply box lately.
  const TYPING_MS = 8000;
  let lastKey = 0;
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof Element && event.target.id === "reply-body") lastKey = Date.now();
  });
  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.id === "presence") event.detail.parameters.typing = String(Date.now() - lastKey < TYPING_MS);
  });

  // The reply box's timer: while it runs, the minutes field holds the whole minutes since it started
  // (at least 1). A new reply box (after sending) starts without one.
  let timer = null;
  function showTimer(button) {
    const running = timer !== null && timer.button === button;
    button.setAttribute("aria-pressed", String(running));
    button.querySelector("[data-timer-label]").textContent = button.dataset[running ? "stopLabel" : "startLabel"];
  }
  function tick() {
    const field = document.getElementById("reply-minutes");
    if (!timer || !document.contains(timer.button) || !field) return stopTimer();
    field.value = String(Math.max(1, Math.round((Date.now() - timer.started) / 60000)));
  }
  function stopTimer() {
    if (!timer) return;
    clearInterval(timer.interval);
    const button = timer.button;
    timer = null;
    showTimer(button);
  }
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-timer]") : null;
    if (!button) return;
    if (timer) return stopTimer();
    timer = { button, started: Date.now(), interval: setInterval(tick, 5000) };
    tick();
    showTimer(button);
  });
  const revealTimers = () => document.querySelectorAll("[data-timer]").forEach((button) => (button.hidden = false));
  document.addEventListener("htmx:afterSettle", revealTimers);
  revealTimers();

  // The ticket page's participants card: after htmx swaps it, the keyboard focus goes where the card
  // says (the next remove button, or the address field), not back to the top of the page.
  document.addEventListener("htmx:afterSettle", () => {
    const wanted = document.querySelector("#ticket-participants [data-focus]");
    if (!wanted) return;
    wanted.removeAttribute("data-focus");
    wanted.focus();
  });

  updateSelection();
})();
