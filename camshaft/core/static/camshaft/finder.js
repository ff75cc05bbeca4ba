// Part Finder enhancement: choosing a level fetches the next list from the
// API instead of reloading the page. Without JavaScript the form still works.
(function () {
  "use strict";
  var form = document.getElementById("finder");
  if (!form || !window.fetch) return;
  var levels = ["year", "make", "model", "submodel", "engine"];
  var api = form.getAttribute("data-api");
  function select(level) { return form.querySelector('select[name="' + level + '"]'); }
  function reset(from) {
    for (var i = from; i < levels.length; i++) {
      var s = select(levels[i]);
      s.length = 1;
      s.disabled = true;
    }
  }
  function query(upTo) {
    var params = new URLSearchParams();
    for (var i = 0; i <= upTo; i++) params.set(levels[i], select(levels[i]).value);
    return params.toString();
  }
  function fill(level, options) {
    var s = select(level);
    options.forEach(function (o) { s.add(new Option(o.name, o.id)); });
    s.disabled = false;
    if (options.length === 1) { s.value = String(options[0].id); s.dispatchEvent(new Event("change")); }
    else { s.focus(); }
  }
  levels.forEach(function (level, i) {
    select(level).addEventListener("change", function () {
      reset(i + 1);
      if (!this.value) return;
      if (i === levels.length - 1) { form.submit(); return; }
      var next = levels[i + 1];
      fetch(api + next + "s?" + query(i), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (options) { fill(next, options); })
        .catch(function () { form.submit(); });
    });
  });
})();
