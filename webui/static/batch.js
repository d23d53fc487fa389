// Batch search with progress: the list goes to /batch/rows in chunks and the table fills as each
// chunk answers. Without this script the form posts the whole list and the page returns the table.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function lines(text) {
    // As the server reads a list (search/query/batch.py read_lines): one query a line, blanks dropped.
    return text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x1c|\x1d|\x1e|\x85/)
      .map(function (line) { return line.trim(); })
      .filter(function (line) { return line !== ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("batch-form");
    if (!form || !window.fetch || !window.FormData) return;
    var box = document.getElementById("queries");
    var file = document.getElementById("file");
    var status = document.getElementById("batch-status");
    var bar = document.getElementById("batch-progress");
    var label = document.getElementById("batch-progress-text");
    var problem = document.getElementById("batch-error");
    var section = document.getElementById("batch-results");
    var body = document.getElementById("batch-rows");
    var chunk = parseInt(form.getAttribute("data-chunk"), 10) || 25;
    var most = parseInt(form.getAttribute("data-max-lines"), 10) || 1000;
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined);
    var running = false;

    function show(message) {
      problem.textContent = message;
      problem.hidden = !message;
    }

    // An uploaded list is read into the text box, where it can be checked before searching.
    file.addEventListener("change", function () {
      var chosen = file.files && file.files[0];
      if (!chosen) return;
      chosen.arrayBuffer().then(function (buffer) {
        var text;
        try { text = new TextDecoder("utf-8", { fatal: true }).decode(buffer); }
        catch (error) { text = new TextDecoder("windows-1252").decode(buffer); }
        box.value = lines(text).join("\n");
        file.value = "";
      });
    });

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "format") return;  // the CSV: a plain download
      event.preventDefault();
      if (running) return;
      var queries = lines(box.value);
      show("");
      if (!queries.length) { show(form.getAttribute("data-empty")); return; }
      if (queries.length > most) {
        show(fill(form.getAttribute("data-too-many"), { count: number.format(queries.length) }));
        return;
      }
      var base = new FormData(form);
      base.delete("queries");
      base.delete("file");
      base.delete("format");
      body.innerHTML = "";
      section.hidden = false;
      status.hidden = false;
      bar.max = queries.length;
      running = true;
      var done = 0;

      function progress() {
        bar.value = done;
        label.textContent = fill(form.getAttribute("data-progress"),
                                 { done: number.format(done), total: number.format(queries.length) });
      }

      function next() {
        if (done >= queries.length) { running = false; return; }
        var part = queries.slice(done, done + chunk);
        var data = new FormData();
        base.forEach(function (value, key) { data.append(key, value); });
        data.append("queries", part.join("\n"));
        data.append("start", String(done));
        fetch(form.getAttribute("data-rows-url"), { method: "POST", body: data, credentials: "same-origin" })
          .then(function (response) {
            return response.text().then(function (text) {
              if (!response.ok) throw new Error(text || response.statusText);
              return text;
            });
          })
          .then(function (rows) {
            body.insertAdjacentHTML("beforeend", rows);
            done += part.length;
            progress();
            next();
          })
          .catch(function (error) {
            running = false;
            show(fill(form.getAttribute("data-failed"), { reason: error.message }));
          });
      }

      progress();
      next();
    });
  });
})();
