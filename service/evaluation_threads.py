"""``claimdesk eval threads``: the scorer on rumour threads from social platforms.

A thread file is JSON: ``{"claims": [{"id", "text", "verdict", "posts": [...]}]}``, each post
``{"id", "url", "stance", "text"?, "reply_to"?, "quotes"?}``. The stance is the post's stance
toward the claim (``support``/``deny``/``query``/``comment``, the RumourEval labels, or
claimdesk's ``supports``/``refutes``/``mentions``), replies to replies included; the publisher
is the account in the post's URL (sources/platforms.py); a post that quotes or reposts another
(``quotes``: that post's id) cites it, so a repost counts once with its original. The verdict
is ``true``, ``false`` or ``unknown``. Claims are then evaluated exactly as Emergent's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.evaluation import Article, DataError, EmergentClaim

STANCES = {
    "support": "supports",
    "supports": "supports",
    "deny": "refutes",
    "refutes": "refutes",
    "query": "mentions",
    "comment": "mentions",
    "mentions": "mentions",
}
VERDICTS = ("true", "false", "unknown")


def _text(value: Any, where: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}: {field} must be a non-empty string")
    return value


def read_threads(path: Path) -> dict[str, EmergentClaim]:
    """Claims and their posts from a thread file; DataError if the layout is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise DataError(f'{path}: expected {{"claims": [...]}}')
    claims: dict[str, EmergentClaim] = {}
    for number, raw in enumerate(data["claims"], start=1):
        where = f"{path}: claim {number}"
        if not isinstance(raw, dict) or not isinstance(raw.get("posts"), list):
            raise DataError(f"{where}: expected an object with a list of posts")
        claim_id = _text(raw.get("id"), where, "id")
        if claim_id in claims:
            raise DataError(f"{where}: id {claim_id!r} repeated")
        verdict = raw.get("verdict")
        if verdict not in VERDICTS:
            raise DataError(f"{where}: verdict must be one of {', '.join(VERDICTS)}")
        posts = {}
        for index, post in enumerate(raw["posts"], start=1):
            at = f"{where}, post {index}"
            if not isinstance(post, dict):
                raise DataError(f"{at}: expected an object")
            post_id = _text(post.get("id"), at, "id")
            if post.get("stance") not in STANCES:
                raise DataError(f"{at}: stance must be one of {', '.join(STANCES)}")
            posts[post_id] = post
        articles = []
        for post_id, post in posts.items():
            quoted = post.get("quotes")
            if quoted is not None and quoted not in posts:
                raise DataError(f"{where}: post {post_id!r} quotes unknown post {quoted!r}")
            text = post.get("text") if isinstance(post.get("text"), str) else ""
            articles.append(
                Article(
                    headline=text or _text(post.get("url"), where, "url"),
                    stance=STANCES[post["stance"]],
                    url=_text(post.get("url"), where, "url"),
                    cites=[posts[quoted]["url"]] if quoted is not None else [],
                )
            )
        claims[claim_id] = EmergentClaim(
            claim_id, _text(raw.get("text"), where, "text"), verdict, articles
        )
    if not claims:
        raise DataError(f"{path}: no claims")
    return claims
