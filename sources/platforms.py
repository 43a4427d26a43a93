"""Accounts on social platforms as publishers: ``twitter.com/jack/status/1`` is ``@jack on X``.

On a platform the host says nothing about who published a post: fifty accounts replying to a
rumour are fifty publishers, not one ``twitter.com``. ``account_of`` reads the account from the
URL's path (pure string work on an already normalised URL) and returns its publisher key, such
as ``x.com/@jack``, and a readable name. URLs that name no account (``youtu.be/ID``, an
Instagram ``/p/`` post) stay with the platform's host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

MAX_KEY_LENGTH: Final = 253  # the publisher key column


@dataclass(frozen=True)
class Platform:
    """A platform: its canonical host (the key's prefix) and its name in the publisher's name."""

    host: str
    name: str


X = Platform("x.com", "X")
FACEBOOK = Platform("facebook.com", "Facebook")
INSTAGRAM = Platform("instagram.com", "Instagram")
THREADS = Platform("threads.net", "Threads")
TIKTOK = Platform("tiktok.com", "TikTok")
YOUTUBE = Platform("youtube.com", "YouTube")
REDDIT = Platform("reddit.com", "Reddit")
TELEGRAM = Platform("t.me", "Telegram")
BLUESKY = Platform("bsky.app", "Bluesky")
MEDIUM = Platform("medium.com", "Medium")
SUBSTACK = Platform("substack.com", "Substack")
LINKEDIN = Platform("linkedin.com", "LinkedIn")

HOSTS: Final[dict[str, Platform]] = {
    "twitter.com": X,
    "x.com": X,
    "facebook.com": FACEBOOK,
    "fb.com": FACEBOOK,
    "instagram.com": INSTAGRAM,
    "threads.net": THREADS,
    "threads.com": THREADS,
    "tiktok.com": TIKTOK,
    "youtube.com": YOUTUBE,
    "reddit.com": REDDIT,
    "old.reddit.com": REDDIT,
    "t.me": TELEGRAM,
    "telegram.me": TELEGRAM,
    "bsky.app": BLUESKY,
    "medium.com": MEDIUM,
    "substack.com": SUBSTACK,
    "linkedin.com": LINKEDIN,
}
# First path segments that are pages of the platform, not accounts.
RESERVED: Final[dict[Platform, frozenset[str]]] = {
    X: frozenset(
        [
            "i",
            "home",
            "search",
            "hashtag",
            "intent",
            "share",
            "explore",
            "settings",
            "messages",
            "notifications",
            "login",
            "signup",
            "tos",
            "privacy",
            "compose",
        ]
    ),
    FACEBOOK: frozenset(
        [
            "watch",
            "groups",
            "events",
            "marketplace",
            "gaming",
            "pages",
            "photo.php",
            "story.php",
            "permalink.php",
            "sharer",
            "sharer.php",
            "login",
            "help",
            "policies",
            "reel",
            "share",
        ]
    ),
    INSTAGRAM: frozenset(["p", "reel", "reels", "tv", "explore", "accounts", "stories", "direct"]),
    TIKTOK: frozenset(["tag", "music", "discover", "search", "foryou", "t"]),
    TELEGRAM: frozenset(["s", "joinchat", "addstickers", "share"]),
    MEDIUM: frozenset(["p", "tag", "search", "me", "m"]),
}
_HANDLE = re.compile(r"^[\w.\-]{1,100}$")


@dataclass(frozen=True)
class Account:
    """An account's publisher key (``x.com/@jack``) and name (``@jack on X``)."""

    key: str
    name: str


def _account(platform: Platform, handle: str, *, at: bool = True, path: str = "") -> Account | None:
    handle = handle.lstrip("@").lower() if at else handle.lower()
    if not _HANDLE.match(handle):
        return None
    shown = f"@{handle}" if at else f"{path}{handle}"
    key = f"{platform.host}/{shown}"
    if len(key) > MAX_KEY_LENGTH:
        return None
    return Account(key=key, name=f"{shown} on {platform.name}")


def _segments(path: str) -> list[str]:
    return [unquote(s) for s in path.split("/") if s]


def account_of(host: str, url: str) -> Account | None:
    """The account a URL on ``host`` (already stripped of www./m.) belongs to, if it names one."""
    parts = urlsplit(url)
    segments = _segments(parts.path)
    platform = HOSTS.get(host)
    if platform is None:
        # Mastodon and other fediverse servers (any host): /@user/123 or /users/user/statuses/1;
        # Substack and Medium publications on their own subdomain are publishers already.
        if segments and segments[0].startswith("@") and len(segments[0]) > 1:
            return _fediverse(host, segments[0])
        if len(segments) >= 2 and segments[0] == "users" and "statuses" in segments[2:3]:
            return _fediverse(host, segments[1])
        return None
    if not segments:
        return None
    first = segments[0]
    reserved = RESERVED.get(platform, frozenset())
    if platform is YOUTUBE:
        if first.startswith("@"):
            return _account(platform, first)
        if first in ("channel", "c", "user") and len(segments) > 1:
            return _account(platform, segments[1], at=False, path=f"{first}/")
        return None
    if platform is REDDIT:
        if first in ("user", "u") and len(segments) > 1:
            return _account(platform, segments[1], at=False, path="u/")
        if first == "r" and len(segments) > 1:
            return _account(platform, segments[1], at=False, path="r/")
        return None
    if platform is LINKEDIN:
        if first in ("in", "company") and len(segments) > 1:
            return _account(platform, segments[1], at=False, path=f"{first}/")
        if first == "posts" and len(segments) > 1 and "_" in segments[1]:
            return _account(platform, segments[1].split("_", 1)[0], at=False, path="in/")
        return None
    if platform is BLUESKY:
        if first == "profile" and len(segments) > 1:
            return _account(platform, segments[1])
        return None
    if platform is FACEBOOK and first == "profile.php":
        ids = parse_qs(parts.query).get("id")
        return _account(platform, ids[0], at=False, path="profile.php?id=") if ids else None
    if platform is INSTAGRAM and first == "stories" and len(segments) > 1:
        return _account(platform, segments[1])
    if platform in (SUBSTACK, MEDIUM) and not first.startswith("@"):
        # medium.com/<publication>/... is a publication; substack.com/home etc. are pages.
        if platform is MEDIUM and first not in reserved:
            return _account(platform, first, at=False)
        return None
    if first.lower() in reserved:
        return None
    return _account(platform, first)


def _fediverse(host: str, handle: str) -> Account | None:
    handle = handle.lstrip("@").lower()
    key = f"{host}/@{handle}"
    if not _HANDLE.match(handle) or len(key) > MAX_KEY_LENGTH:
        return None
    return Account(key=key, name=f"@{handle}@{host}")


def canonical_host(host: str) -> str:
    """One host per platform (``twitter.com`` and ``x.com`` are both ``x.com``)."""
    platform = HOSTS.get(host)
    return platform.host if platform else host


def platform_of(key: str) -> str | None:
    """The platform host of an account's publisher key (``x.com/@jack`` -> ``x.com``)."""
    host, slash, _ = key.partition("/")
    return host if slash else None
