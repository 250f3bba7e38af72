// Import progress: poll the batch's status every 2 s, update the bar, reload when it ends.
// Without JavaScript the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !box.dataset.url) { return; }
  var url = box.dataset.url;
  var shown = box.dataset.status;  // the status the page was rendered with
  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (!el) { return; }
    if (el.tagName === "PROGRESS") { el.value = value; } else { el.textContent = value; }
  }
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        set("status_label", p.status_label);
        set("percent", p.percent);
        set("done", p.done.toLocaleString(document.documentElement.lang || "vi"));
        set("total", p.total.toLocaleString(document.documentElement.lang || "vi"));
        if (p.status !== shown || p.task_status === "FAILED") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
