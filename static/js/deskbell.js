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
