/* Deskbell console, the ticket page's presence strip (templates/console/_presence.html): the strip polls
   by itself; this adds "typing" to its request, true while this agent typed in the reply box within the
   last few seconds, so the others see it. */
(() => {
  "use strict";

  const TYPING_MS = 8000;
  let lastKey = 0;

  document.addEventListener("keydown", (event) => {
    if (event.target instanceof Element && event.target.id === "reply-body") lastKey = Date.now();
  });

  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.id === "presence") event.detail.parameters.typing = String(Date.now() - lastKey < TYPING_MS);
  });
})();
