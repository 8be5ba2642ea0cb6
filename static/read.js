// An article's reading page: every few seconds while the page is visible, tells the server the
// member is still reading and whether the end of the article has been on screen. The server sums
// the time between beats (capped, so a page left open in the background does not count) and
// decides when the reading counts; this only shows its answer.
(function () {
  var status = document.getElementById("read-status");
  var end = document.getElementById("article-end");
  if (!status || !end) return;
  var atEnd = false;
  var counted = false;
  function seenEnd() {
    var r = end.getBoundingClientRect();
    if (r.top < window.innerHeight) atEnd = true;
  }
  function beat() {
    if (counted || document.visibilityState !== "visible") return;
    seenEnd();
    var body = new URLSearchParams({ csrf: status.dataset.csrf, at_end: atEnd ? "1" : "0" });
    fetch(status.dataset.beatUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json().catch(function () { return null; }); })
      .then(function (answer) {
        if (!answer) return;
        status.textContent = answer.message;
        if (answer.counted) { counted = true; status.classList.add("ok"); }
      })
      .catch(function () {});
  }
  window.addEventListener("scroll", seenEnd, { passive: true });
  beat();
  setInterval(beat, (Number(status.dataset.every) || 10) * 1000);
})();
