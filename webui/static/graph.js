// The network views (webui/templates/_network.html): hovering or focusing an entity lights up its
// links and neighbours and dims the rest; a click follows the node's link (a filtered search).
// The SVG is complete without this script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("svg[data-network]").forEach(function (svg) {
      var lines = Array.prototype.slice.call(svg.querySelectorAll("line[data-source]"));
      var nodes = Array.prototype.slice.call(svg.querySelectorAll(".node[data-id]"));
      function light(id) {
        var near = {};
        near[id] = true;
        lines.forEach(function (line) {
          var on = line.getAttribute("data-source") === id || line.getAttribute("data-target") === id;
          line.classList.toggle("is-lit", on);
          line.classList.toggle("is-dim", !on);
          if (on) { near[line.getAttribute("data-source")] = near[line.getAttribute("data-target")] = true; }
        });
        nodes.forEach(function (node) {
          node.classList.toggle("is-dim", !near[node.getAttribute("data-id")]);
          node.classList.toggle("is-lit", node.getAttribute("data-id") === id);
        });
      }
      function clear() {
        lines.concat(nodes).forEach(function (el) { el.classList.remove("is-lit", "is-dim"); });
      }
      nodes.forEach(function (node) {
        var id = node.getAttribute("data-id");
        node.addEventListener("mouseenter", function () { light(id); });
        node.addEventListener("focus", function () { light(id); });
        node.addEventListener("mouseleave", clear);
        node.addEventListener("blur", clear);
      });
    });
  });
})();
