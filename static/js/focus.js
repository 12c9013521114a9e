/* Deskbell, both areas: where the keyboard focus goes after an htmx swap, and what the page's one live
   region (#live-status in base.html, never swapped) says. A swap that removes the focused element
   would drop the focus to <body>, and a live region that is swapped in is a new element that screen
   readers never heard change; so, once per request, after it settles:
   - the focus goes to the swapped content's [data-focus]; else, if the request's element says
     data-focus-to="id another-id", to the first of those that exists; else, if the form came back
     with errors, to its first invalid field (or its alert); else, only when the focus was lost, to
     the same control in the new content (same form, same kind), or the new content's heading. It
     never moves away from a control the person is still in (htmx keeps one with an id).
   - the live region says the swapped content's [data-announce] texts (data-announce="…" or the
     element's own text). The queue's 30-second refresh (data-refresh) says instead how many of the
     shown rows are new or changed, and nothing when none are; a region that polls itself
     (data-say-changes, the ticket's presence strip) is said only when its text changed.
   A page loaded at an #anchor in <main> starts with the focus there. */
(() => {
  "use strict";

  const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  const requests = new Map(); // xhr → what was known before its swap, and the elements it swapped in
  let loaded = []; // the elements swapped in since the last settle (htmx:load)

  const region = () => document.getElementById("live-status");
  const lost = () => !document.activeElement || document.activeElement === document.body;

  function within(roots, selector) {
    return roots.flatMap((root) => [root, ...root.querySelectorAll(selector)]).filter((el) => el.isConnected && el.matches(selector));
  }

  function say(text) {
    const live = region();
    if (!live || !text) return;
    // Emptied first and filled a moment later, so the same words twice ("Saved") are said twice.
    live.textContent = "";
    setTimeout(() => (live.textContent = text), 60);
  }

  function focusOn(el) {
    if (!el || !el.isConnected) return false;
    if (!el.matches(FOCUSABLE)) el.setAttribute("tabindex", "-1");
    el.focus();
    return document.activeElement === el;
  }

  // The focused control, described so that its twin can be found in the content that replaces it.
  function describe(el) {
    if (!(el instanceof Element) || el === document.body) return null;
    return { action: el.closest("form")?.getAttribute("action"), tag: el.tagName.toLowerCase(), type: el.getAttribute("type") };
  }

  function twin(roots, was) {
    if (!was || !was.action) return null;
    const same = (el) => el.closest("form")?.getAttribute("action") === was.action && el.getAttribute("type") === was.type;
    return within(roots, was.tag).find(same) || null;
  }

  // The queue's rows as shown: number → version, to tell what a refresh changed.
  function rows() {
    return new Map(Array.from(document.querySelectorAll("#queue-list tr[data-number]"), (row) => [row.dataset.number, row.dataset.version]));
  }

  function refreshNews(before) {
    const list = document.getElementById("queue-list");
    if (!list || !before) return "";
    let added = 0;
    let changed = 0;
    for (const [number, version] of rows()) {
      if (!before.has(number)) added += 1;
      else if (before.get(number) !== version) changed += 1;
    }
    const parts = [];
    if (added) parts.push(list.dataset.saidNew.replace("{n}", added));
    if (changed) parts.push(list.dataset.saidChanged.replace("{n}", changed));
    return parts.join(" ");
  }

  function moveFocus(info, roots) {
    const marked = within(roots, "[data-focus]");
    for (const el of marked) el.removeAttribute("data-focus");
    if (focusOn(marked[0])) return;
    for (const id of (info.elt?.dataset?.focusTo || "").split(" ").filter(Boolean)) {
      if (focusOn(document.getElementById(id))) return;
    }
    if (info.failed && focusOn(within(roots, "[aria-invalid=true], [role=alert]")[0])) return;
    if (!lost() || info.quiet) return;
    if (focusOn(twin(roots, info.was))) return;
    const root = roots.find((el) => el.isConnected && el.id);
    if (root) focusOn(root.querySelector("h1, h2, h3") || root);
  }

  function finish(xhr) {
    const info = requests.get(xhr);
    requests.delete(xhr);
    const roots = info.roots;
    if (info.text !== null) {
      const now = info.elt.isConnected ? info.elt.textContent.trim() : "";
      if (now !== info.text) say(now);
    } else if (info.quiet) say(refreshNews(info.rows));
    else say(within(roots, "[data-announce]").map((el) => el.dataset.announce || el.textContent.trim()).filter(Boolean).join(" "));
    moveFocus(info, roots);
  }

  // A page reached at an #anchor (a form posted without htmx, then redirected to the new entry): the
  // focus starts there, as after the same action done with htmx.
  if (location.hash.length > 1) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.closest("main")) focusOn(target);
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    loaded = [];
    if (!event.detail.shouldSwap) return; // nothing comes in (a 204, a server error): nothing to do
    const elt = event.detail.requestConfig?.elt || event.detail.elt;
    const quiet = elt instanceof Element && elt.matches("[data-refresh], [data-say-changes]");
    requests.set(event.detail.xhr, {
      elt,
      quiet,
      was: describe(document.activeElement),
      rows: quiet ? rows() : null,
      text: elt instanceof Element && elt.matches("[data-say-changes]") ? elt.textContent.trim() : null,
      failed: event.detail.xhr.status >= 400,
      roots: [],
      pass: null,
    });
  });

  // htmx fires htmx:load on every element a swap put in (out of band and appended ones too), just
  // before the same request's htmx:afterSettle, in one go: those are the request's new content.
  document.addEventListener("htmx:load", (event) => {
    if (event.target instanceof Element && event.target !== document.body) loaded.push(event.target);
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const info = requests.get(event.detail.xhr);
    if (!info) return;
    info.roots.push(...loaded);
    loaded = [];
    if (!info.pass) info.pass = setTimeout(() => finish(event.detail.xhr), 0);
  });
})();
