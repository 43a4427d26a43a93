"""One key per article however its URL was shared; one publisher key per site."""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from sources.urls import MAX_URL_LENGTH, InvalidURL, normalise_url, publisher_domain

ARTICLE = "https://www.wired.com/story/ai-chips/"


@pytest.mark.parametrize(
    "shared",
    [
        "https://www.wired.com/story/ai-chips/?utm_source=twitter&utm_medium=x",
        "https://www.wired.com/story/ai-chips/#comments",
        "https://www.wired.com/story/ai-chips/?UTM_Campaign=Spring&fbclid=IwAR0abc#x",
        "https://www.wired.com/story/ai-chips/?gclid=1&msclkid=2&mc_cid=3&mc_eid=4&igshid=5",
        "https://www.wired.com/story/ai-chips/?xtor=RSS-1&at_medium=social&ref_src=twsrc",
        "HTTPS://WWW.Wired.COM/story/ai-chips/",
        "https://www.wired.com:443/story/ai-chips/",
        "https://www.wired.com/story/./ai-chips/",
        "https://www.wired.com/story/x/../ai-chips/",
        "https://www.wired.com/story/ai%2Dchips/",
        "  https://www.wired.com/story/ai-chips/?\n",
    ],
)
def test_the_same_article_shared_differently_has_the_same_key(shared):
    assert normalise_url(shared) == ARTICLE


def test_parameter_order_does_not_matter():
    assert normalise_url("http://example.com/s?q=tax&page=2&lang=en") == normalise_url(
        "http://example.com/s?lang=en&q=tax&page=2"
    )
    assert normalise_url("http://example.com/s?q=tax&page=2") == (
        "http://example.com/s?page=2&q=tax"
    )


def test_repeated_parameters_keep_their_relative_order():
    assert normalise_url("http://example.com/?b=1&a=2&a=1") == "http://example.com/?a=2&a=1&b=1"


def test_a_meaningful_parameter_is_kept():
    assert normalise_url("https://github.com/o/r/blob/x.py?ref=main&utm_source=hn") == (
        "https://github.com/o/r/blob/x.py?ref=main"
    )


def test_a_query_of_only_tracking_parameters_disappears():
    assert normalise_url("http://example.com/a?utm_source=x&fbclid=y") == "http://example.com/a"


def test_an_empty_path_becomes_a_slash_and_other_trailing_slashes_stay_as_given():
    assert normalise_url("http://example.com") == "http://example.com/"
    assert normalise_url("http://example.com?id=3") == "http://example.com/?id=3"
    assert normalise_url("http://example.com/a") != normalise_url("http://example.com/a/")


def test_the_path_keeps_its_case():
    assert normalise_url("http://Example.com/About") == "http://example.com/About"


def test_http_and_https_stay_distinct():
    assert normalise_url("http://example.com/a") != normalise_url("https://example.com/a")


def test_default_ports_are_dropped_and_others_kept():
    assert normalise_url("http://example.com:80/") == "http://example.com/"
    assert normalise_url("https://example.com:80/") == "https://example.com:80/"
    assert normalise_url("http://example.com:8080/") == "http://example.com:8080/"


def test_unicode_hosts_are_idna_encoded():
    assert normalise_url("https://Bücher.example/") == "https://xn--bcher-kva.example/"
    assert normalise_url("https://例え.テスト/") == "https://xn--r8jz45g.xn--zckzah/"


def test_percent_encoding_is_uppercased_unreserved_decoded_and_reserved_kept():
    assert normalise_url("http://example.com/%7euser/caf%c3%a9/a%2fb?q=%41%26") == (
        "http://example.com/~user/caf%C3%A9/a%2Fb?q=A%26"
    )


def test_non_ascii_paths_are_percent_encoded_as_utf8():
    assert normalise_url("http://example.com/café") == normalise_url("http://example.com/caf%C3%A9")


def test_a_stray_percent_sign_is_encoded():
    assert normalise_url("http://example.com/100%") == "http://example.com/100%25"


def test_ipv6_hosts_are_compressed_and_lowercased():
    assert normalise_url("http://[2001:DB8:0::1]:80/x") == "http://[2001:db8::1]/x"


def test_a_trailing_dot_on_the_host_is_dropped():
    assert normalise_url("http://example.com./x") == "http://example.com/x"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "only http and https"),
        ("ftp://example.com/file", "only http and https"),
        ("data:text/html,<b>hi</b>", "only http and https"),
        ("mailto:a@example.com", "only http and https"),
        ("//example.com/x", "no scheme"),
        ("http://", "no host"),
        ("http:example.com", "no host"),
        ("not a url", "space"),
        ("", "empty"),
        ("   ", "empty"),
        ("http://user:secret@example.com/", "credentials"),
        ("http://user@example.com/", "credentials"),
        ("http://example.com/a b", "space"),
        ("http://example.com/\x00", "control character U\\+0000"),
        ("http://example.com/\x85", "control character U\\+0085"),
        ("http://exa\tmple.com/", "control character"),
        ("http://example.com\u00a0/", "space"),
        ("http://a..b/", "not a valid domain"),
        ("http://exa<mple.com/", "not a valid domain"),
        ("http://example.com\\@evil.com/", "backslash"),
        ("http://example.com:99999/", "port"),
        ("http://example.com:0/", "port"),
        ("http://example.com:http/", "port"),
        ("http://[::1/", "IPv6|parsed"),
        ("http://[zz::1]/", "IPv6"),
        ("http://example.com/" + "a" * 3000, "at most 2048"),
    ],
)
def test_urls_that_cannot_key_a_source_are_refused_with_a_reason(url, reason):
    with pytest.raises(InvalidURL, match=reason):
        normalise_url(url)


def test_a_url_that_only_grows_too_long_once_encoded_is_refused():
    url = "http://example.com/" + "é" * 1000  # 1,019 characters, 6,019 once encoded
    assert len(url) <= MAX_URL_LENGTH
    with pytest.raises(InvalidURL, match="once encoded"):
        normalise_url(url)


def test_invalid_url_is_a_value_error():
    assert issubclass(InvalidURL, ValueError)


# --- properties --------------------------------------------------------------------------------

_HOSTS = st.sampled_from(["example.com", "WWW.Example.org", "bücher.example", "[2001:db8::1]"])
_URL_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cc", "Cs", "Zs", "Zl", "Zp"]), max_size=40
)


@given(
    scheme=st.sampled_from(["http", "HTTPS"]),
    host=_HOSTS,
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    rest=_URL_TEXT,
)
@example(scheme="http", host="example.com", port="", rest="/%2e%2e/a")
@example(scheme="http", host="example.com", port="", rest="/%252e?%7e=%")
def test_normalise_url_is_idempotent_on_its_output(scheme, host, port, rest):
    try:
        key = normalise_url(f"{scheme}://{host}{port}/{rest}")
    except InvalidURL:
        assume(False)
    assert normalise_url(key) == key


@given(
    params=st.lists(
        st.tuples(st.sampled_from(["a", "b", "q", "page"]), st.text("xyz0", max_size=3)),
        max_size=5,
    ),
    data=st.data(),
)
def test_any_order_of_distinct_parameters_gives_the_same_key(params, data):
    distinct = list(dict(params).items())
    shuffled = data.draw(st.permutations(distinct))
    query = "&".join(f"{k}={v}" for k, v in distinct)
    other = "&".join(f"{k}={v}" for k, v in shuffled)
    assert normalise_url(f"http://example.com/?{query}") == normalise_url(
        f"http://example.com/?{other}"
    )


# --- publisher_domain --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.wired.com/story/x", "wired.com"),
        ("https://m.lemonde.fr", "lemonde.fr"),
        ("https://amp.theguardian.com/world", "theguardian.com"),
        ("https://WWW2.Example.ORG/", "example.org"),
        ("https://m.facebook.com/watch", "facebook.com"),  # a platform page, no account
        ("https://edition.cnn.com/x", "edition.cnn.com"),  # no public-suffix list: kept
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),
        ("https://www.com/", "www.com"),  # the prefix is the whole name there
        ("https://bücher.example/", "xn--bcher-kva.example"),
        ("http://192.0.2.1:8080/", "192.0.2.1"),
    ],
)
def test_the_publisher_is_the_host_without_cosmetic_prefixes(url, domain):
    assert publisher_domain(url) == domain


def test_the_publisher_of_an_invalid_url_is_refused():
    with pytest.raises(InvalidURL):
        publisher_domain("javascript:alert(1)")
