// The main navigation folds into a "Menu" button on narrow screens.
//
// Loaded without `defer` in <head>: the class below must be on <html> before the first
// paint, or a phone would show the whole navigation and then fold it away. Without
// JavaScript the class never appears, the button stays hidden by the CSS and the
// navigation is an ordinary visible list (static/css/bruggen.css, "Header and navigation").
(function () {
  "use strict";
  document.documentElement.classList.add("bruggen-js");

  function setOpen(button, nav, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("bruggen-nav--open", open);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-menu-button]");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    button.addEventListener("click", function () {
      setOpen(button, nav, button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and puts the focus back on its button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      if (!nav.contains(document.activeElement) && document.activeElement !== button) return;
      setOpen(button, nav, false);
      button.focus();
    });
  });
})();
