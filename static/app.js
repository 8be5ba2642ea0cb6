// dongxun's small page script: no build step, no other hosts.
(function () {
  // The flash message was shown by the server; drop its cookie so a reload does not repeat it.
  document.cookie = "dx_flash=; Max-Age=0; path=/";

  // htmx requests carry the page's CSRF token as a header.
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
  });

  // htmx swaps nothing on a 4xx or 5xx answer, so a refused form would fail without a word. The
  // server answers htmx with the Chinese message alone (<p data-error-message>, src/web/htmx.rs);
  // show it in the error area of the form that sent the request, or at the top of the page.
  function errorArea(elt) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    return (form && form.querySelector("[data-error-area]")) || document.getElementById("page-error");
  }

  function showError(elt, message) {
    var area = errorArea(elt);
    if (!area) return;
    area.textContent = message;
    area.hidden = false;
  }

  function messageOf(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var found = doc.querySelector("[data-error-message]");
      if (found && found.textContent.trim()) return found.textContent.trim();
    }
    return "操作未成功（" + xhr.status + "），请刷新页面后重试。";
  }

  // beforeSwap fires on the swap's target (a roll-call row); the element that sent the request
  // is in its requestConfig.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400) return;
    event.detail.shouldSwap = false;
    var config = event.detail.requestConfig;
    showError((config && config.elt) || event.detail.elt, messageOf(xhr));
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    showError(event.detail.elt, "网络连接失败，请检查网络后重试。");
  });

  // A request that went through clears the message an earlier one left.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) return;
    var area = errorArea(event.detail.elt);
    if (area && !area.hidden) {
      area.textContent = "";
      area.hidden = true;
    }
  });

  // Forms that need a second thought ask for it.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // An exam's clock counts down on the page; the server keeps the real deadline. At zero the page
  // reloads and shows the result.
  var clock = document.getElementById("exam-clock");
  if (clock) {
    var left = Number(clock.getAttribute("data-seconds-left")) || 0;
    var shown = clock.querySelector("[data-countdown]");
    var tick = function () {
      if (shown) shown.textContent = Math.floor(left / 60) + "分" + ("0" + (left % 60)).slice(-2) + "秒";
      if (left <= 0) { window.location.reload(); return; }
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
