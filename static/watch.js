// The recording page: reports the ranges of video actually played (video.played, so skipping
// ahead does not count) every 15 s, on pause and at the end. The server merges them with earlier
// sittings, decides when 90 % has been reached and says so; this only shows its answer.
(function () {
  var video = document.getElementById("recording");
  if (!video) return;
  var fill = document.getElementById("watch-fill");
  var status = document.getElementById("watch-status");
  var lastSent = "";
  var counted = false;

  function playedRanges() {
    var ranges = [];
    for (var i = 0; i < video.played.length; i++) {
      ranges.push(video.played.start(i).toFixed(1) + "-" + video.played.end(i).toFixed(1));
    }
    return ranges.join(",");
  }

  function show(percent, message) {
    if (fill) fill.style.width = Math.min(100, percent) + "%";
    if (status && message) status.textContent = message;
  }

  function report() {
    var duration = video.duration;
    if (!isFinite(duration) || duration <= 0) return;
    var played = playedRanges();
    if (played === lastSent || counted) return;
    lastSent = played;
    var body = new URLSearchParams({
      csrf: video.dataset.csrf, k: video.dataset.ticket, played: played, duration: String(duration),
    });
    fetch(video.dataset.progressUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json().catch(function () { return null; }); })
      .then(function (answer) {
        if (!answer) return;
        if (answer.message) show(answer.watched_percent || 0, answer.message);
        if (answer.counted) { counted = true; status.classList.add("ok"); }
      })
      .catch(function () { lastSent = ""; }); // offline for a moment: the next report retries
  }

  video.addEventListener("pause", report);
  video.addEventListener("ended", report);
  setInterval(function () { if (!video.paused) report(); }, 15000);
})();
