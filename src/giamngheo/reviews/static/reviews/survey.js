// Phiếu B: the engine's classification, live, as the form is filled.
// The form carries data-classify-url; every change posts the whole form there (debounced,
// with the form's own CSRF token) and the JSON answer fills the result box (data-result
// fields), the errors at their fields (data-errors-for) and shows the causes of poverty for
// a poor or near-poor result. Without JavaScript the "Phân loại" button does the same by
// re-rendering the page. No framework, no other file.
(function () {
  "use strict";
  var form = document.querySelector("form[data-classify-url]");
  var box = document.getElementById("sv-result");
  if (!form || !box || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-classify-url");
  var causes = document.getElementById("sv-causes");
  var BADGES = { poor: "badge-error", near_poor: "badge-warning", non_poor: "badge-ok" };
  var timer = null;
  var seq = 0;

  function field(name) { return box.querySelector('[data-result="' + name + '"]'); }

  function setText(name, text, keepVisible) {
    var el = field(name);
    if (!el) { return; }
    el.textContent = text || (keepVisible ? "—" : "");
    if (!keepVisible) { el.hidden = !text; }
  }

  function showErrors(errors) {
    var holders = form.querySelectorAll("[data-errors-for]");
    for (var i = 0; i < holders.length; i++) {
      var holder = holders[i];
      var list = errors[holder.getAttribute("data-errors-for")] || [];
      holder.textContent = "";
      for (var j = 0; j < list.length; j++) {
        var p = document.createElement("p");
        p.textContent = list[j];
        holder.appendChild(p);
      }
      if (holder.classList.contains("sv-err")) { holder.hidden = list.length === 0; }
      var wrap = holder.parentNode;
      if (wrap && wrap.id && wrap.id.indexOf("field-") === 0) {
        wrap.classList.toggle("has-error", list.length > 0);
      }
    }
  }

  function show(r) {
    var label = field("label");
    var badge = "badge" + (BADGES[r.classification] ? " " + BADGES[r.classification] : "");
    label.className = badge;
    label.textContent = r.label || label.getAttribute("data-none");
    var mini = form.querySelector("[data-result-mini]");
    if (mini) { mini.className = badge; mini.textContent = label.textContent; }
    box.setAttribute("data-class", r.classification || "");
    setText("explanation", r.explanation, false);
    setText("disagreement", r.disagreement, false);
    if (r.classification) {
      setText("local", r.local, true);
      setText("medium_farm", r.medium_farm, true);
      var low = field("low_income_members");
      if (low) {
        var names = r.low_income_members || [];
        low.textContent = names.length ? names.join(", ") : low.getAttribute("data-none");
      }
    }
    var notes = field("notes");
    if (notes) {
      notes.textContent = "";
      (r.notes || []).forEach(function (n) {
        var li = document.createElement("li");
        li.textContent = n;
        notes.appendChild(li);
      });
    }
    if (causes && r.classification) { causes.hidden = !r.show_causes; }
    showErrors(r.errors || {});
  }

  function send() {
    var mine = ++seq;
    box.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    })
      .then(function (response) { return response.json(); })
      .then(function (r) {
        if (mine !== seq) { return; }  // an older answer arriving late
        box.removeAttribute("aria-busy");
        if (r.error) { showErrors({ __all__: [r.error] }); return; }
        show(r);
      })
      .catch(function () { if (mine === seq) { box.removeAttribute("aria-busy"); } });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(send, 400);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
}());
