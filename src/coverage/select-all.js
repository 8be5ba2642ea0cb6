// 全选 on the uncovered list: ticking it ticks every member shown (the server takes it to mean
// every member the filters find, on every page); unticking one member takes 全选 back off.
(function () {
  var all = document.querySelector("[data-select-all]");
  if (!all) return;
  var name = all.getAttribute("data-select-all");
  function boxes() {
    return Array.prototype.filter.call(
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]'),
      function (box) { return !box.disabled; }
    );
  }
  all.addEventListener("change", function () {
    boxes().forEach(function (box) { box.checked = all.checked; });
  });
  boxes().forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) all.checked = false;
    });
  });
})();
