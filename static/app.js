// dongxun's small page script: no build step, no other hosts.
(function () {
  // The flash message was shown by the server; drop its cookie so a reload does not repeat it.
  document.cookie = "dx_flash=; Max-Age=0; path=/";

  // htmx requests carry the page's CSRF token as a header.
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
  });

  // Forms that need a second thought ask for it.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
