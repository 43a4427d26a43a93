/* claimdesk embed loader.
 * Swaps every <blockquote class="claimdesk-claim" data-claim="42"> for an iframe showing the
 * claim's live card, and resizes it to its content. Without JavaScript the blockquote and its
 * link stay. Claim text never enters the host page's DOM: the card renders inside the iframe,
 * and only numbers cross the frame boundary (checked for origin and source). The frame is
 * sandboxed: scripts and new tabs only, in an opaque origin.
 * A card's iframe already on the page (oEmbed's markup, or one pasted by hand) is resized too.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var origin = new URL(script.src).origin;
  var THEMES = { light: 1, dark: 1, auto: 1 };
  var SIZES = { compact: 1, full: 1 };
  var LANGS = { en: 1, fr: 1 };
  var frames = {};

  function option(node, name, allowed, fallback) {
    var value = node.getAttribute("data-" + name);
    return value && Object.prototype.hasOwnProperty.call(allowed, value) ? value : fallback;
  }

  function swap(node) {
    var id = node.getAttribute("data-claim") || "";
    if (!/^[0-9]{1,10}$/.test(id) || node.getAttribute("data-claimdesk-done")) { return; }
    node.setAttribute("data-claimdesk-done", "1");
    var params = new URLSearchParams({
      theme: option(node, "theme", THEMES, "auto"),
      size: option(node, "size", SIZES, "full"),
      lang: option(node, "lang", LANGS, document.documentElement.lang === "fr" ? "fr" : "en")
    });
    var frame = document.createElement("iframe");
    frame.src = origin + "/embed/claims/" + id + "?" + params.toString();
    frame.title = "claimdesk claim " + id;
    frame.loading = "lazy";
    // Scripts (the resize message) and opening the claim page in a new tab: nothing else.
    // Never the same origin as well as scripts: together they cancel the sandbox.
    frame.setAttribute("sandbox", "allow-scripts allow-popups allow-popups-to-escape-sandbox");
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.style.border = "0";
    frame.style.width = "100%";
    frame.style.maxWidth = params.get("size") === "compact" ? "320px" : "400px";
    frame.style.height = params.get("size") === "compact" ? "150px" : "260px";
    frame.style.display = "block";
    frame.className = "claimdesk-frame";
    (frames[id] = frames[id] || []).push(frame);
    node.parentNode.replaceChild(frame, node);
  }

  function adopt(frame) {
    var url;
    try { url = new URL(frame.src); } catch (e) { return; }
    var found = /^\/embed\/claims\/([0-9]{1,10})$/.exec(url.pathname);
    if (url.origin !== origin || !found || frame.getAttribute("data-claimdesk-done")) { return; }
    var id = found[1];
    frame.setAttribute("data-claimdesk-done", "1");
    (frames[id] = frames[id] || []).push(frame);
    // The card may have reported its height before this script ran: ask it again. The card
    // runs in an opaque origin (sandboxed), so only "*" reaches it; the request carries no
    // data, and the card answers only its parent.
    if (frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "claimdesk:measure" }, "*");
    }
  }

  window.addEventListener("message", function (event) {
    // The card runs sandboxed in an opaque origin, so its messages say "null"; what vouches
    // for a message is its source being one of the frames made here (checked below).
    if (event.origin !== "null" && event.origin !== origin) { return; }
    var data = event.data;
    if (!data || data.type !== "claimdesk:resize" || typeof data.height !== "number") { return; }
    var list = frames[String(data.claim)] || [];
    for (var i = 0; i < list.length; i++) {
      if (list[i].contentWindow === event.source) {
        list[i].style.height = Math.max(40, Math.min(2000, Math.ceil(data.height))) + "px";
      }
    }
  });

  function run() {
    var nodes = document.querySelectorAll("blockquote.claimdesk-claim[data-claim]");
    for (var i = 0; i < nodes.length; i++) { swap(nodes[i]); }
    var iframes = document.querySelectorAll("iframe[src*='/embed/claims/']");
    for (var j = 0; j < iframes.length; j++) { adopt(iframes[j]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
