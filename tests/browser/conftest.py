"""A live claimdesk on loopback and a headless Debian Chromium driven by Playwright.

The server runs in a thread (werkzeug's ``make_server``) on its own migrated SQLite file, so
these tests never touch the database CLAIMDESK_DATABASE_URL may point at. Chromium is the
system package (``/usr/bin/chromium``); no browser is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from claims.policy import Role
from service import migrate
from service.accounts import UserCreate, create_user
from service.app import create_app
from service.db import Database
from service.demo import load_demo
from service.settings import Settings

CHROMIUM = Path(os.environ.get("CLAIMDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
# axe-core comes from npm (tests/browser/axe/package.json, locked); .ci/run installs it, and
# the first accessibility check installs it if it is missing and npm is there.
AXE_FOLDER = Path(__file__).parent / "axe"
AXE_SCRIPT = AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "browser test password"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip every browser test, saying why, when the system Chromium is not installed."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass(frozen=True)
class Live:
    """A running claimdesk: where to reach it, and its database for arranging data."""

    url: str
    database: Database


@pytest.fixture(scope="session")
def live_server(live: Live) -> str:
    """The base URL of a claimdesk on a fresh SQLite database: the demo and two accounts."""
    return live.url


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A claimdesk served on loopback from a thread, with the demo and two accounts."""
    from werkzeug.serving import make_server

    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'browser.sqlite3'}"
    migrate.upgrade(url)
    settings = Settings(
        env="test",
        secret_key="browser-test-secret-0123456789",
        instance_path=folder,
        database_url=url,
        redis_url=None,
        anon_submit_limit="1000 per hour",
    )
    database = Database(url)
    app = create_app(settings, database=database)
    session = database.session_factory()
    for username, role in (("casey", Role.contributor), ("ed", Role.editor)):
        create_user(
            session=session, user_in=UserCreate(username=username, password=PASSWORD, role=role)
        )
    load_demo(session=session)
    session.commit()
    session.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(url=f"http://127.0.0.1:{server.server_port}", database=database)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        database.engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser tab (no cookies) whose relative URLs go to the live server."""
    context = chromium.new_context(base_url=live_server, viewport=DESKTOP, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture
def sign_in() -> Callable[[Any, str], None]:
    """``sign_in(page, "ed")`` signs in through the form, as a person would."""

    def go(tab: Any, username: str) -> None:
        tab.goto("/login")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.get_by_text(f"Signed in as {username} (").wait_for()

    return go


@pytest.fixture
def sign_in_as() -> Callable[[Any, str], None]:
    """``sign_in_as(page, "ed")`` signs in through the form in whatever language it shows."""

    def go(tab: Any, username: str) -> None:
        tab.goto("/login")
        tab.locator("#username").fill(username)
        tab.locator("#password").fill(PASSWORD)
        tab.locator("main form button[type=submit]").click()
        tab.locator("header .who").wait_for()

    return go


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from its lock file by npm when it is not there yet."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"{AXE_SCRIPT} is missing and npm is not installed: apt-get install npm")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_FOLDER, check=True, timeout=300
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source: str) -> Callable[[Any, str], None]:
    """``axe(page, "what")`` fails on any axe-core violation, of any impact, on the page now.

    The script is evaluated through the DevTools protocol, which the pages' strict CSP does
    not govern; the page itself still runs none but its own scripts.
    """

    def check(tab: Any, what: str) -> None:
        if not tab.evaluate("() => typeof window.axe === 'object'"):
            tab.evaluate(axe_source)
        found = tab.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .map(v => `${v.id} (${v.impact}): ${v.help} at ${
                    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"""
        )
        assert found == [], f"{what} ({tab.url}, {tab.viewport_size['width']}px): {found}"

    return check


@pytest.fixture
def screenshot(axe: Callable[[Any, str], None]) -> Callable[[Any, str], Path]:
    """``screenshot(page, "claim")`` saves full-page desktop and 390px phone captures (and the
    phone's first screen), and checks the page with axe-core at both widths."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(tab: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}-desktop.png"
        tab.set_viewport_size(DESKTOP)
        axe(tab, name)
        tab.screenshot(path=str(path), full_page=True)
        tab.set_viewport_size(PHONE)
        tab.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))")
        axe(tab, name)
        tab.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
        # What a phone shows before any scrolling: where the verdict must already be.
        tab.screenshot(path=str(ARTIFACTS / f"{name}-phone-first-screen.png"))
        tab.set_viewport_size(DESKTOP)
        return path

    return take


@pytest.fixture
def french_page(chromium: Any, live_server: str) -> Iterator[Any]:
    """A tab whose browser prefers French."""
    context = chromium.new_context(base_url=live_server, viewport=DESKTOP, locale="fr-FR")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
