"""Widgets on someone else's page, in a real browser: the loader, a bare iframe and a badge.

The host page is served from a second loopback origin (another port), as a newsroom's article
would be, and embeds claimdesk's widgets the documented ways.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from claims.policy import Actor, Role
from claims.schemas import ClaimCreate
from claims.services import ledger

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def xss_claim(live: Any) -> int:
    """A published claim whose words are an HTML injection attempt."""
    session = live.database.session_factory()
    claim = ledger.create_claim(
        session=session,
        claim_in=ClaimCreate(text=XSS, language="en"),
        actor=Actor(name="browser-test", role=Role.editor),
        allow_duplicate=True,
    )
    session.commit()
    claim_id = claim.id
    session.close()
    assert claim_id is not None
    return claim_id


@pytest.fixture(scope="module")
def host_page(live: Any, xss_claim: int) -> Iterator[str]:
    """A newsroom's article page on another port, embedding two claims, an iframe and a badge,
    a claim that does not exist, and claim 1 again as an oEmbed consumer pastes it."""
    import requests

    oembed = requests.get(
        f"{live.url}/oembed", params={"url": f"{live.url}/claims/1"}, timeout=10
    ).json()["html"]
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head>
<body><main><h1>Our article</h1>
<blockquote class="claimdesk-claim" data-claim="1">
  <a href="{live.url}/claims/1">Altman</a></blockquote>
<blockquote class="claimdesk-claim" data-claim="{xss_claim}" data-size="compact">
  <a href="{live.url}/claims/{xss_claim}">hostile</a></blockquote>
<iframe id="bare" src="{live.url}/embed/claims/1?theme=dark" width="400" height="260"
  title="claimdesk claim 1" style="border:0"></iframe>
<p><img id="badge" src="{live.url}/embed/claims/1.svg" alt="claimdesk status"></p>
<blockquote class="claimdesk-claim" data-claim="999999">
  <a href="{live.url}/claims/999999">gone</a></blockquote>
<div id="oembed">{oembed}</div>
<script async src="{live.url}/embed.js"></script>
</main></body></html>""".encode()

    class Host(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/article"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_widgets_render_on_a_host_page_with_the_right_status_and_fitted_height(
    page, host_page, xss_claim, screenshot
):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(host_page)
    frames = page.locator("iframe.claimdesk-frame")
    frames.nth(2).wait_for()
    assert frames.count() == 3
    assert page.locator("blockquote.claimdesk-claim").count() == 0

    altman = page.frame_locator("iframe.claimdesk-frame").nth(0)
    altman.get_by_text("Contested").first.wait_for()
    assert "Sam Altman" in altman.locator("body").inner_text()

    hostile = page.frame_locator("iframe.claimdesk-frame").nth(1)
    hostile.get_by_text(XSS).wait_for()  # shown as text
    assert hostile.locator("img").count() == 0
    assert page.locator("img[src='x']").count() == 0

    # The loader resized each frame to its card (the 260 px default is never exactly right).
    page.wait_for_function(
        """() => [...document.querySelectorAll('iframe.claimdesk-frame')]
               .every(f => f.style.height && f.style.height !== '260px'
                           && f.style.height !== '150px')"""
    )
    # The missing claim's card and oEmbed's frame are fitted too (no 260 px with a blank third).
    page.wait_for_function(
        """() => { const f = document.querySelector('#oembed iframe');
                   return f.style.height && f.style.height !== '260px'; }"""
    )
    page.wait_for_function(
        """() => document.querySelector('#bare').style.height
                 && document.querySelector('#bare').style.height !== '260px'"""
    )
    fitted = [frames.nth(i) for i in range(3)]
    fitted += [page.locator("#oembed iframe"), page.locator("#bare")]
    assert float(frames.nth(2).evaluate("f => parseFloat(f.style.height)")) < 200
    for index, frame in enumerate(fitted):
        height = frame.evaluate("f => parseFloat(f.style.height)")
        content = (
            frame.element_handle()
            .content_frame()
            .evaluate("() => Math.ceil(document.documentElement.getBoundingClientRect().height)")
        )
        assert abs(height - content) <= 2, (index, height, content)

    bare = page.frame_locator("#bare")
    bare.get_by_text("Contested").first.wait_for()
    badge_ok = page.locator("#badge").evaluate("img => img.complete && img.naturalWidth > 0")
    assert badge_ok
    assert dialogs == []
    screenshot(page, "embeds-on-host-page")


def test_a_spoofed_resize_message_from_the_host_is_ignored(page, host_page):
    page.goto(host_page)
    frame = page.locator("iframe.claimdesk-frame").first
    frame.wait_for()
    page.wait_for_function(
        "() => document.querySelector('iframe.claimdesk-frame').style.height !== '260px'"
    )
    before = frame.evaluate("f => f.style.height")
    page.evaluate(
        "() => window.postMessage({type: 'claimdesk:resize', claim: '1', height: 1999}, '*')"
    )
    page.wait_for_timeout(200)
    assert frame.evaluate("f => f.style.height") == before
