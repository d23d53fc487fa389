// Small enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("q");

    // "/" focuses the search box, unless one is typing in a field.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || !box || event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
      event.preventDefault();
      box.focus();
      box.select();
    });

    // Changing the order submits at once (the Apply button stays for no-JS).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    // Filter boxes narrow long facet lists as one types.
    document.querySelectorAll(".facet").forEach(function (facet) {
      var input = facet.querySelector(".facet-filter");
      if (!input) return;
      input.hidden = false;
      var more = facet.querySelector("details");
      var summary = more && more.querySelector("summary");
      var template = summary && summary.getAttribute("data-template");
      var number = new Intl.NumberFormat(document.documentElement.lang || undefined);
      input.addEventListener("input", function () {
        var needle = input.value.trim().toLowerCase();
        if (more && needle) more.open = true;
        facet.querySelectorAll(".facet-list li").forEach(function (item) {
          var value = item.getAttribute("data-value") || "";
          item.classList.toggle("is-filtered-out", needle !== "" && value.indexOf(needle) === -1);
        });
        // "84 more" counts what the filter leaves behind it.
        if (summary && template) {
          var left = more.querySelectorAll(".facet-list li:not(.is-filtered-out)").length;
          summary.textContent = template.replace("{count}", number.format(left));
          more.hidden = left === 0;
        }
      });
    });
  });
})();
