// Search suggestions as the shopper types (C5): a list under the search box,
// filled from GET /api/v1/search/suggest. Progressive enhancement only: the
// form works the same without it. No inline script, so a strict
// Content-Security-Policy (script-src 'self') allows it.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) return;
  var url = input.getAttribute("data-suggest");
  var form = input.form;
  var list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");
  input.parentNode.insertBefore(list, input.nextSibling);

  var timer = null;
  var active = -1;
  var latest = 0;
  var KINDS = { category: "Category", brand: "Brand", vehicle: "Vehicle", part: "" };

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(text) {
    input.value = text;
    close();
    form.submit();
  }

  function show(items) {
    list.textContent = "";
    active = -1;
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "q-suggestion-" + i;
      li.setAttribute("role", "option");
      li.textContent = item.text;
      if (KINDS[item.kind]) {
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = KINDS[item.kind];
        li.appendChild(kind);
      }
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(item.text);
      });
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function fetchSuggestions() {
    var typed = input.value.trim();
    if (typed.length < 2) { close(); return; }
    var ticket = ++latest;
    fetch(url + "?" + new URLSearchParams({ q: typed.slice(0, 100) }), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (reply) { return reply.ok ? reply.json() : { suggestions: [] }; })
      .then(function (body) { if (ticket === latest) show(body.suggestions || []); })
      .catch(close);
  }

  function highlight(step) {
    var options = list.querySelectorAll("li");
    if (!options.length) return;
    if (active >= 0) options[active].removeAttribute("aria-selected");
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 80);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(-1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(list.querySelectorAll("li")[active].firstChild.textContent);
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
