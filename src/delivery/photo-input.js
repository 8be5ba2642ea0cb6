// The visit form's photo picker. The file input is visually hidden under a Chinese
// "拍照或选择照片" button, so the browser no longer says (in its own language) which file was
// chosen: this says it instead. Served from the app because the CSP forbids inline scripts.
(function () {
  var inputs = document.querySelectorAll('input[type="file"][data-name-target]');
  Array.prototype.forEach.call(inputs, function (input) {
    var target = document.getElementById(input.getAttribute("data-name-target"));
    if (!target) return;
    function show() {
      var file = input.files && input.files[0];
      target.textContent = file ? "已选择：" + file.name : "未选择照片";
    }
    input.addEventListener("change", show);
    // A page restored from the back/forward cache may still hold a chosen file.
    show();
  });
})();
