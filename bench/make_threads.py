"""Write a file of made-up rumour threads in `claimdesk eval threads` layout (tests/data).

Nothing here is real: accounts, claims and posts are invented, seeded, to exercise the thread
layout (accounts on several platforms, replies to replies, quotes and reposts) and to check that
accounts recurring across claims build records the scorer can learn from. A few accounts are
reliable debunkers, a few are rumour mills, most are bystanders; true claims draw support from
reliable accounts, false ones draw denials, unverified ones circulate among the rumour mills.

Run:  .venv/bin/python bench/make_threads.py > tests/data/threads.json
"""

from __future__ import annotations

import json
import random

PLATFORMS = (
    "https://twitter.com/{a}/status/{n}",
    "https://x.com/{a}/status/{n}",
    "https://mastodon.social/@{a}/{n}",
    "https://bsky.app/profile/{a}.bsky.social/post/{n}",
    "https://www.reddit.com/user/{a}/comments/{n}",
    "https://t.me/{a}/{n}",
)
RELIABLE = [f"newsdesk{i}" for i in range(6)]
MILLS = [f"rumourmill{i}" for i in range(6)]
CROWD = [f"bystander{i}" for i in range(40)]


def thread(rng: random.Random, number: int, verdict: str) -> dict[str, object]:
    posts: list[dict[str, object]] = []
    counter = [number * 100]

    def post(
        account: str, stance: str, reply_to: str | None = None, quotes: str | None = None
    ) -> str:
        counter[0] += 1
        platform = PLATFORMS[sum(map(ord, account)) % len(PLATFORMS)]
        pid = f"c{number}p{counter[0]}"
        posts.append(
            {
                "id": pid,
                "url": platform.format(a=account, n=counter[0]),
                "stance": stance,
                "text": f"post {counter[0]} by {account}",
                "reply_to": reply_to,
                "quotes": quotes,
            }
        )
        return pid

    source = post(rng.choice(MILLS if verdict != "true" else RELIABLE + MILLS), "support")
    for _ in range(rng.randint(3, 9)):
        account = rng.choice(CROWD)
        stance = rng.choice(["comment", "query", "comment", "support"])
        reply = post(account, stance, reply_to=source)
        if rng.random() < 0.3:
            post(rng.choice(CROWD), rng.choice(["comment", "query"]), reply_to=reply)
    if rng.random() < 0.5:
        post(rng.choice(CROWD), "support", quotes=source)  # a repost counts with its original
    if verdict == "true":
        for account in rng.sample(RELIABLE, rng.randint(1, 3)):
            post(account, "support", reply_to=source)
        if rng.random() < 0.2:
            post(rng.choice(MILLS), "deny", reply_to=source)
    elif verdict == "false":
        for account in rng.sample(RELIABLE, rng.randint(1, 2)):
            post(account, "deny", reply_to=source)
        for account in rng.sample(MILLS, rng.randint(0, 2)):
            post(account, "support", reply_to=source)
    else:
        for account in rng.sample(MILLS, rng.randint(1, 3)):
            post(account, "support", reply_to=source)
        if rng.random() < 0.2:
            post(rng.choice(CROWD), "deny", reply_to=source)
    return {
        "id": f"thread-{number:03d}",
        "text": f"Made-up rumour number {number}.",
        "verdict": verdict,
        "posts": posts,
    }


def main() -> None:
    rng = random.Random(15)
    verdicts = ["true", "false", "unknown"] * 12
    print(json.dumps({"claims": [thread(rng, n, v) for n, v in enumerate(verdicts)]}, indent=1))


if __name__ == "__main__":
    main()
