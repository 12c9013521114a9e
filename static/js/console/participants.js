/* Deskbell console, the ticket page's participants card: after htmx swaps it, the keyboard focus goes
   where the card says (the next remove button, or the address field; marked data-focus), not back to the
   top of the page. */
(() => {
  "use strict";

  document.addEventListener("htmx:afterSettle", () => {
    const wanted = document.querySelector("#ticket-participants [data-focus]");
    if (!wanted) return;
    wanted.removeAttribute("data-focus");
    wanted.focus();
  });
})();
