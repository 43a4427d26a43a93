"""Specifications of platform accounts as publishers: the account in a post's URL."""

import pytest

from claims.scoring.score import Track, shrink
from sources.platforms import platform_of
from sources.urls import publisher_domain, publisher_name


@pytest.mark.parametrize(
    ("url", "key", "name"),
    [
        ("https://twitter.com/jack/status/20", "x.com/@jack", "@jack on X"),
        ("https://x.com/Jack", "x.com/@jack", "@jack on X"),
        ("https://mobile.twitter.com/jack/status/2?s=20", "x.com/@jack", "@jack on X"),
        ("https://www.facebook.com/zuck/posts/123", "facebook.com/@zuck", "@zuck on Facebook"),
        ("https://www.instagram.com/natgeo/", "instagram.com/@natgeo", "@natgeo on Instagram"),
        ("https://www.threads.net/@zuck/post/C1", "threads.net/@zuck", "@zuck on Threads"),
        ("https://www.tiktok.com/@user/video/1", "tiktok.com/@user", "@user on TikTok"),
        ("https://youtube.com/@mkbhd", "youtube.com/@mkbhd", "@mkbhd on YouTube"),
        ("https://www.reddit.com/user/spez", "reddit.com/u/spez", "u/spez on Reddit"),
        ("https://www.reddit.com/r/news/comments/x/y", "reddit.com/r/news", "r/news on Reddit"),
        ("https://t.me/durov/123", "t.me/@durov", "@durov on Telegram"),
        (
            "https://bsky.app/profile/jay.bsky.team/post/1",
            "bsky.app/@jay.bsky.team",
            "@jay.bsky.team on Bluesky",
        ),
        (
            "https://mastodon.social/@Gargron/1",
            "mastodon.social/@gargron",
            "@gargron@mastodon.social",
        ),
        ("https://medium.com/@ev/hello", "medium.com/@ev", "@ev on Medium"),
        ("https://substack.com/@ev", "substack.com/@ev", "@ev on Substack"),
        ("https://www.linkedin.com/in/reid/", "linkedin.com/in/reid", "in/reid on LinkedIn"),
    ],
)
def test_a_post_on_a_platform_is_published_by_its_account(url, key, name):
    assert publisher_domain(url) == key
    assert publisher_name(url) == name
    assert platform_of(key) == key.split("/")[0]


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://twitter.com/i/web/status/1", "x.com"),  # no account: the platform, one key
        ("https://twitter.com/search?q=x", "x.com"),
        ("https://www.instagram.com/p/abc/", "instagram.com"),
        ("https://www.youtube.com/watch?v=abc", "youtube.com"),
        ("https://ev.substack.com/p/post", "ev.substack.com"),  # a publication's own host
        ("https://www.wired.com/story/x", "wired.com"),
    ],
)
def test_a_url_that_names_no_account_keeps_its_host(url, key):
    assert publisher_domain(url) == key
    assert platform_of(key) is None


def test_an_account_with_no_record_starts_at_its_platforms_rates_and_its_own_takes_over():
    platform = Track(held=10, failed=30, unverified=60)  # a platform of rumours

    fresh = shrink(Track(), platform)
    seasoned = shrink(Track(held=40, failed=0), platform)

    assert (fresh.held, fresh.failed, fresh.unverified) == pytest.approx((0.2, 0.6, 1.2))
    assert fresh.features()[0] < 0  # it starts below a neutral outlet
    assert seasoned.features()[0] > 3  # 40 stances that held up outweigh two pseudo-claims
    assert shrink(Track(held=1), Track()) == Track(held=1)
