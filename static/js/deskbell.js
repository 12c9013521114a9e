// When an htmx request fails, htmx leaves the page as it was and says nothing. Say what happened,
// in the page's language (the messages come from #request-error's data attributes), and clear it
// once a later request goes through.
(() => {
  "use strict";

  const box = () => document.getElementById("request-error");

  function show(message) {
    const el = box();
    if (!el) return;
    el.querySelector("[data-message]").textContent = message;
    el.hidden = false;
  }

  document.addEventListener("htmx:responseError", (event) => {
    const el = box();
    if (el) show(el.dataset[`status${event.detail.xhr.status}`] || el.dataset.otherwise);
  });

  document.addEventListener("htmx:sendError", () => {
    const el = box();
    if (el) show(el.dataset.unreachable);
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful && box()) box().hidden = true;
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-dismiss]") && box()) box().hidden = true;
  });
})();

// A narrow top bar folds its items into a menu behind the Menu button (the stylesheet shows the
// button only when the bar is narrow). The button is shown here, so without scripts the items
// stay on show; it says whether the menu is open, and Escape closes it with focus back on it.
(() => {
  "use strict";

  const toggles = () => document.querySelectorAll("[data-menu-toggle]");
  const setOpen = (button, open) => button.setAttribute("aria-expanded", String(open));

  for (const button of toggles()) button.hidden = false;

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-menu-toggle]");
    if (button) setOpen(button, button.getAttribute("aria-expanded") !== "true");
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    for (const button of toggles()) {
      const bar = button.closest("header");
      if (button.getAttribute("aria-expanded") === "true" && bar?.contains(document.activeElement)) {
        setOpen(button, false);
        button.focus();
      }
    }
  });
})();
