// A live lesson's page: counts down to the start, and once the member has joined an HLS lesson
// plays the stream in the page — natively where the browser plays HLS itself
// (canPlayType), otherwise through hls.js (vendored, Media Source Extensions, no worker).
(function () {
  var countdown = document.getElementById("countdown");
  if (countdown) {
    var startsAt = Number(countdown.getAttribute("data-starts-at"));
    var tick = function () {
      var left = Math.max(0, Math.round((startsAt - Date.now()) / 1000));
      if (left <= 0) {
        countdown.textContent = "直播已开始";
        clearInterval(timer);
        // The page now offers the stream (or 进入直播): show it without a tap.
        setTimeout(function () { location.reload(); }, 1500);
        return;
      }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      countdown.textContent = "距开始还有 " + (d ? d + "天" : "") + (d || h ? h + "小时" : "") + m + "分" + s + "秒";
    };
    var timer = setInterval(tick, 1000);
    tick();
  }

  var video = document.getElementById("live");
  if (!video) return;
  var src = video.getAttribute("data-src");
  // Before the lecturer starts pushing, the streaming server answers 404 for the playlist; a
  // phone on a weak signal drops segments. Neither should leave a dead player: say so and try
  // again every few seconds for as long as the page is open.
  var status = document.createElement("p");
  status.id = "live-status";
  status.className = "notice";
  status.hidden = true;
  video.insertAdjacentElement("afterend", status);
  var retryIn = function (restart) {
    status.textContent = "直播信号尚未接通，正在自动重试…";
    status.hidden = false;
    setTimeout(restart, 4000);
  };
  var playing = function () { status.hidden = true; };
  video.addEventListener("playing", playing);
  var start = function () {
    var play = video.play();
    if (play && play.catch) play.catch(function () {});
  };

  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.setAttribute("data-player", "native");
    video.addEventListener("error", function () {
      retryIn(function () { video.src = src + (src.indexOf("?") < 0 ? "?" : "&") + "retry=" + Date.now(); start(); });
    });
    video.src = src;
  } else if (window.Hls && window.Hls.isSupported()) {
    video.setAttribute("data-player", "hls.js");
    var connect = function () {
      var hls = new window.Hls({ enableWorker: false });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) return;
        if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
          hls.recoverMediaError();
          return;
        }
        hls.destroy();
        retryIn(function () { connect(); start(); });
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    };
    connect();
  } else {
    video.insertAdjacentHTML("afterend", '<p class="notice error">此浏览器无法播放直播，请换用微信或手机自带浏览器打开。</p>');
    return;
  }
  start();
})();
