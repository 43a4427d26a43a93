"""The card's one inline script and the loader, with the CSP that allows exactly them."""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib.resources import files

# Tells the embedding page the card's height whenever it changes. The message carries only a
# number and the claim id, so it may be posted to any origin; the loader checks where it
# came from before acting on it. It reports again when asked ("claimdesk:measure"): a loader
# that finds the frame already loaded (oEmbed's markup) missed the first report.
CARD_SCRIPT = (
    "(function(){var d=document.documentElement,id=d.getAttribute('data-claim');"
    "function s(){parent.postMessage({type:'claimdesk:resize',claim:id,"
    "height:Math.ceil(d.getBoundingClientRect().height)},'*')}"
    "s();if(window.ResizeObserver){new ResizeObserver(s).observe(d)}"
    "else{addEventListener('load',s)}"
    "addEventListener('message',function(e){if(e.source===parent&&e.data&&"
    "e.data.type==='claimdesk:measure'){s()}})})();"
)


# What the card needs from a sandbox: its one script, and its links opening the claim page in
# a new, unsandboxed tab. Never allow-same-origin beside allow-scripts: the two together let
# the framed page remove its own sandbox.
SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox"


@functools.cache
def card_csp() -> str:
    """Nothing may load; inline styles and the one hashed script may run; anyone may frame;
    the card is sandboxed whoever frames it."""
    digest = base64.b64encode(hashlib.sha256(CARD_SCRIPT.encode()).digest()).decode()
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors *; "
        # Sandboxed even when framed without a sandbox attribute: an opaque origin, scripts
        # for the resize message and new tabs for the claim page, nothing else.
        f"sandbox {SANDBOX}"
    )


@functools.cache
def loader_script() -> str:
    """The loader as shipped in service/static/embed.js."""
    return files("service").joinpath("static/embed.js").read_text(encoding="utf-8")
