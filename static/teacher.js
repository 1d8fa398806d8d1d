// A questionnaire page can be the answer to the previous page's form post. Give its history entry
// the page's own address, so that reloading or going back asks for this page (a GET) instead of
// offering to post the previous page again. Without JavaScript everything still works; the
// browser then asks before it re-sends a page, which saves the same answers again.
(function () {
  "use strict";
  var canonical = document.querySelector('link[rel="canonical"]');
  if (!canonical || !window.history || !window.history.replaceState) {
    return;
  }
  // Keep a fragment (the review links to a missing item): the browser scrolls to it.
  if (window.location.href.split("#")[0] !== canonical.href) {
    window.history.replaceState(null, "", canonical.href + window.location.hash);
  }
})();
