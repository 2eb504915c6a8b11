// dossier serve --web: the page's own few lines, run before textual-serve's script.
"use strict";

(function () {
  // textual-serve's script fetches the URL given as ?ping= before it connects; this
  // page never needs that, and a link with ?ping= would make it ask another site.
  const address = new URL(window.location.href);
  if (address.searchParams.has("ping")) {
    address.searchParams.delete("ping");
    window.history.replaceState(null, "", address.pathname + address.search);
  }

  // "Start" (after ?delay) and "Start a new one": this page again, without the delay.
  function startAgain() {
    const next = new URL(window.location.href);
    next.searchParams.delete("delay");
    window.location.assign(next.pathname + next.search);
  }

  document.addEventListener("DOMContentLoaded", function () {
    for (const button of document.querySelectorAll("button.again")) {
      button.addEventListener("click", startAgain);
    }
  });
})();
