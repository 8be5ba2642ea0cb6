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
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;
    video.setAttribute("data-player", "native");
  } else if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls({ enableWorker: false });
    hls.loadSource(src);
    hls.attachMedia(video);
    video.setAttribute("data-player", "hls.js");
  } else {
    video.insertAdjacentHTML("afterend", '<p class="notice error">此浏览器无法播放直播，请换用微信或手机自带浏览器打开。</p>');
    return;
  }
  var play = video.play();
  if (play && play.catch) play.catch(function () {});
})();
