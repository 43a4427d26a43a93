"""Sending one webhook: the Standard Webhooks body and headers, through the SSRF guard.

The body is ``{type, timestamp, data}``; ``webhook-id`` is the event's id (the same on every
retry, so a receiver can drop duplicates), ``webhook-timestamp`` the moment of this attempt, and
``webhook-signature`` one ``v1,`` HMAC-SHA256 per secret in force (two during a rotation's
grace period), computed by the ``standardwebhooks`` package. Redirects are not followed: a
receiver that moved must be re-subscribed, not silently chased to another host.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit

import requests
from standardwebhooks.webhooks import Webhook

from claims.notices.deliveries import Outcome, Target
from claims.notices.models import NoticeEvent
from clock import as_utc
from sources.ssrf import (
    AddressBlocked,
    HostUnresolvable,
    PinnedAddressAdapter,
    PrivateAllowlist,
    pick_address,
    resolve_host,
)

USER_AGENT: Final = "claimdesk-webhooks/1 (+https://github.com/claimdesk)"
MAX_ERROR: Final = 300


def refusal(url: str, allowlist: PrivateAllowlist) -> str | None:
    """Why the SSRF guard would refuse this receiver whatever DNS answers, or None.

    Only a literal address can be judged when a subscription is made: a name is resolved and
    judged again at every send, since what it points to may change.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        pick_address(host, port, resolver=resolve_host, allow_private=False, allowlist=allowlist)
    except (AddressBlocked, HostUnresolvable) as exc:
        return f"{exc}; an operator can open it with CLAIMDESK_PRIVATE_ALLOWLIST"
    return None


def absolute(data: dict[str, Any], base_url: str | None) -> dict[str, Any]:
    """The payload with this site's paths (``/claims/12``) made absolute when a base is known."""
    if not base_url:
        return data
    base = base_url.rstrip("/")
    out = dict(data)
    for key in ("claim", "subject"):
        ref = out.get(key)
        if isinstance(ref, dict) and str(ref.get("url", "")).startswith("/"):
            out[key] = {**ref, "url": base + ref["url"]}
    return out


def body_of(event: NoticeEvent, base_url: str | None) -> bytes:
    """The exact bytes sent and signed."""
    body = {
        "type": event.type,
        "timestamp": as_utc(event.occurred_at).isoformat().replace("+00:00", "Z"),
        "data": absolute(event.data, base_url),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secrets: tuple[str, ...], msg_id: str, at: datetime, body: bytes) -> str:
    """The ``webhook-signature`` header: a signature per secret, space-separated."""
    return " ".join(
        Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body) for secret in secrets
    )


class Sender:
    """POSTs signed bodies; one HTTP session per thread, each behind the SSRF guard."""

    def __init__(self, *, timeout: float, allowlist: PrivateAllowlist) -> None:
        self.timeout = timeout
        self.allowlist = allowlist
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxy: it would resolve the name itself
            adapter = PinnedAddressAdapter(allowlist=self.allowlist)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
        return session

    def send(self, target: Target, *, msg_id: str, body: bytes, at: datetime) -> Outcome:
        """One attempt; every failure becomes an Outcome, never an exception."""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": sign(target.secrets, msg_id, at, body),
        }
        started = time.monotonic()
        try:
            with self._session().post(
                target.url,
                data=body,
                headers=headers,
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
                stream=True,  # the answer's body is not read: a status is all we need
            ) as answer:
                status = answer.status_code
                retry_after = answer.headers.get("Retry-After")
        except (AddressBlocked, HostUnresolvable) as exc:
            return Outcome(None, _short(f"refused: {exc}"), _ms(started))
        except requests.Timeout:
            return Outcome(None, f"no answer within {self.timeout:g} s", _ms(started))
        except requests.RequestException as exc:
            return Outcome(None, _short(f"{type(exc).__name__}: {exc}"), _ms(started))
        error = None if 200 <= status < 300 else f"HTTP {status}"
        return Outcome(status, error, _ms(started), retry_after)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _short(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
