/* Figures open full size on a tap (the book's own script, listed in _config.yml: html_js_files).
 *
 * On a phone the text column is narrower than a figure (figures are drawn 680 px wide), so the
 * theme scales them down and their axis labels become too small to read. A tap (or click, or
 * Enter) on a figure that a code cell drew opens it at its natural size in an overlay that
 * scrolls both ways; a tap on the overlay, or Escape, closes it. The interactive comparisons of
 * vdsr_lib.compare (.vdsr-cmp) handle their own clicks and are left alone.
 */
(function () {
  "use strict";

  function open(img) {
    var overlay = document.createElement("div");
    overlay.className = "vdsr-zoom";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-label", "Figure at full size: tap or press Escape to close");
    var big = document.createElement("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt || "figure";
    overlay.appendChild(big);
    function close() {
      overlay.remove();
      document.removeEventListener("keydown", onKey);
      img.focus();
    }
    function onKey(event) {
      if (event.key === "Escape") close();
    }
    overlay.addEventListener("click", close);
    document.addEventListener("keydown", onKey);
    document.body.appendChild(overlay);
  }

  function init() {
    var figures = document.querySelectorAll(".cell_output img");
    for (var i = 0; i < figures.length; i++) {
      var img = figures[i];
      if (img.closest(".vdsr-cmp, a")) continue;
      img.classList.add("vdsr-zoomable");
      img.setAttribute("tabindex", "0");
      img.setAttribute("role", "button");
      img.setAttribute("title", "Open the figure at full size");
      img.addEventListener("click", function (event) { open(event.currentTarget); });
      img.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          open(event.currentTarget);
        }
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
