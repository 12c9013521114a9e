/* Deskbell console, the ticket page's reply box: canned replies (the search #canned-q lists matches
   already filled in for the ticket; arrow keys move through them, Enter or a click inserts one at the
   cursor in #reply-body, and the live preview follows) and the timer that fills in the minutes spent.
   Without JavaScript the canned search opens a page of matches to copy from, and the minutes are typed.
   One listener per event type on the document, handing on to the handlers below. */
(() => {
  "use strict";

  // ----- Canned replies -----
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

  function cannedKey(event) {
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
  }

  function cannedClick(target) {
    const option = target.closest("#canned-results [role=option]");
    if (option) cannedInsert(option);
  }

  function cannedShown() {
    const results = document.getElementById("canned-results");
    const input = document.getElementById("canned-q");
    if (input && results) input.setAttribute("aria-expanded", String(!results.hidden && cannedOptions().length > 0));
  }

  // ----- The timer: while it runs, the minutes field holds the whole minutes since it started (at
  // least 1). A new reply box (after sending) starts without one. -----
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
  function timerClick(target) {
    const button = target.closest("[data-timer]");
    if (!button) return;
    if (timer) return stopTimer();
    timer = { button, started: Date.now(), interval: setInterval(tick, 5000) };
    tick();
    showTimer(button);
  }
  const revealTimers = () => document.querySelectorAll("[data-timer]").forEach((button) => (button.hidden = false));

  // ----- The listeners -----
  document.addEventListener("keydown", cannedKey);

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    cannedClick(event.target);
    timerClick(event.target);
  });

  // With JavaScript, "Find" searches in place instead of opening the page of matches.
  document.addEventListener("submit", (event) => {
    if (event.target.id !== "canned-search") return;
    event.preventDefault();
    document.getElementById("canned-q")?.dispatchEvent(new Event("search"));
  });

  document.addEventListener("htmx:afterSettle", () => {
    cannedShown();
    revealTimers();
  });

  revealTimers();
})();
