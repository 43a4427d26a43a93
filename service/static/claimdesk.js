/* claimdesk progressive enhancement: every page works without this file.
   - the copy buttons (hidden without JavaScript) copy a snippet to the clipboard;
   - on a form sent back with errors or a warning, focus moves to the summary so keyboard and
     screen-reader users hear what to fix first. */
(function () {
  "use strict";
  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || "Copied";
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(target.value).then(done, function () { target.select(); });
    } else {
      target.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { copy(b); });
    });
    var summary = document.getElementById("form-errors") || document.getElementById("duplicates");
    if (summary) { summary.focus(); }
  });
})();
