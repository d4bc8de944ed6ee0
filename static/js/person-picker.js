/* Choosing someone by name (network/picker.py). Progressive enhancement: without this
   script the form still works with the name typed. With it, htmx fetches suggestions into
   the list below the name box, and choosing one fills the name and the hidden ref. */
(function () {
  "use strict";
  if (window.bruggenPersonPicker) return;
  window.bruggenPersonPicker = true;

  function parts(element) {
    var picker = element.closest("[data-person-picker]");
    if (!picker) return null;
    return {
      input: picker.querySelector("[data-person-picker-input]"),
      ref: picker.querySelector("[data-person-picker-ref]"),
      list: picker.querySelector("[data-person-picker-list]"),
    };
  }

  function choose(list, close) {
    var option = list.options[list.selectedIndex];
    var picker = parts(list);
    if (!picker || !option || !option.value) return;
    picker.input.value = option.getAttribute("data-name") || option.textContent;
    picker.ref.value = option.value;
    if (close) {
      list.hidden = true;
      picker.input.focus();
    }
  }

  // The suggestion endpoint reads `q` and `kind`, not the form field's own name.
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!input.matches || !input.matches("[data-person-picker-input]")) return;
    var parameters = event.detail.parameters;
    delete parameters[input.name];
    parameters.q = input.value;
    var kinds = (input.getAttribute("data-kinds") || "").split(",");
    if (kinds.length === 1 && kinds[0]) parameters.kind = kinds[0];
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list.matches || !list.matches("[data-person-picker-list]")) return;
    var picker = parts(list);
    list.hidden = list.options.length === 0 || !picker.input.value.trim();
    // A listbox as tall as its options (two at least: one would make it a drop-down).
    list.size = Math.max(2, Math.min(list.options.length, 6));
  });

  // Typing again means the earlier choice no longer holds: the server reads the name.
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-person-picker-input]")) return;
    parts(event.target).ref.value = "";
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.matches("[data-person-picker-input]") && event.key === "ArrowDown") {
      var list = parts(target).list;
      if (!list.hidden && list.options.length) {
        event.preventDefault();
        list.focus();
        if (list.selectedIndex < 0) list.selectedIndex = 0;
        choose(list, false);
      }
    } else if (target.matches("[data-person-picker-list]")) {
      if (event.key === "Enter") {
        event.preventDefault();
        choose(target, true);
      } else if (event.key === "Escape") {
        target.hidden = true;
        parts(target).input.focus();
      }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-person-picker-list]")) choose(event.target, false);
  });

  document.addEventListener("click", function (event) {
    var list = event.target.closest && event.target.closest("[data-person-picker-list]");
    if (list && list.selectedIndex >= 0) choose(list, true);
  });
})();
