"""URL keys for sources and domain keys for publishers.

The same article reaches us under many spellings: shared with utm_* or fbclid tags, with a
fragment, with parameters in another order, with an upper-case or Unicode host, with ":443".
A source is keyed by one normal form so that citing it twice finds the first record. The normal
form follows RFC 3986 section 6 (case, percent-encoding, dot segments, default ports) plus the
removal of a documented set of tracking parameters; everything else is kept as given:

- the scheme: http and https stay distinct, because not every site serves the same page on both;
- the path's case and trailing slash (servers differ), except that an empty path becomes "/";
- other query parameters, sorted by name (stably, so repeated names keep their order).

Only http and https are accepted, without credentials, spaces or control characters, and at
most 2,048 characters before and after normalisation (so the key is a fixed point). Unicode
hosts are IDNA-encoded with the standard library's IDNA 2003 codec (no third-party dependency;
it differs from IDNA 2008 on a few characters such as "ß"). Addresses are not judged here:
refusing private or loopback hosts is the fetcher's job.

The publisher key is the host without cosmetic prefixes ("www.", "m.", "amp."...). There is no
public-suffix list (it would need a download), so "edition.cnn.com" and "cnn.com" stay two
publishers; merging them is an editorial decision rather than a string operation.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from sources.platforms import account_of, canonical_host

__all__ = [
    "MAX_URL_LENGTH",
    "TRACKING_PARAMETERS",
    "InvalidURL",
    "normalise_url",
    "publisher_domain",
    "publisher_name",
]

MAX_URL_LENGTH = 2048

# Parameters that identify a campaign, click or visitor, never the document. Compared in lower
# case; every "utm_*" parameter is dropped too. "ref" is not here: GitHub uses it for a branch.
# fmt: off
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc",
        "_hsmi", "__hssc", "__hstc", "__hsfp", "hsctatracking", "mkt_tok", "ref_src", "ref_url",
        "cmpid", "xtor", "at_medium", "at_campaign", "at_format", "at_link", "at_creation",
        "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "wickedid", "s_cid", "ncid",
        "sr_share", "smid", "smtyp", "guccounter", "guce_referrer", "guce_referrer_sig",
    }
)
# fmt: on
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PUBLISHER_PREFIXES = re.compile(r"^(?:www\d*|m|mobile|amp)\.(?=[^.]+\.)")

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
_PATH_SAFE = frozenset(_SUB_DELIMS + ":@/")
# Inside one name or value of the query: "&" separates pairs and "=" ends a name.
_QUERY_NAME_SAFE = frozenset(_SUB_DELIMS.replace("&", "").replace("=", "") + ":@/?")
_QUERY_VALUE_SAFE = _QUERY_NAME_SAFE | {"="}
_HEX = frozenset("0123456789abcdefABCDEF")
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?", re.ASCII)


class InvalidURL(ValueError):
    """The text is not an http(s) URL that can key a source."""


def _refuse_unprintable(url: str) -> None:
    for index, char in enumerate(url):
        code_point = ord(char)
        control = code_point < 0x20 or 0x7F <= code_point <= 0x9F
        if control or char.isspace():
            what = f"control character U+{code_point:04X}" if control else "a space"
            raise InvalidURL(f"URL contains {what} at position {index}; percent-encode it")
        if 0xD800 <= code_point <= 0xDFFF:
            raise InvalidURL(f"URL contains a lone surrogate at position {index}")


def _normalise_percent(text: str, safe: frozenset[str]) -> str:
    """Uppercase escapes, decode the unreserved ones, encode what may not appear raw."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char, escape = text[index], text[index + 1 : index + 3]
        if char == "%" and len(escape) == 2 and set(escape) <= _HEX:
            decoded = chr(int(escape, 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + escape.upper())
            index += 3
            continue
        if char in _UNRESERVED or char in safe:
            out.append(char)
        else:  # including a "%" that starts no escape: it stands for itself
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        index += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: resolve "." and ".." segments of an absolute path."""
    segments = path.split("/")[1:]
    output: list[str] = []
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if output:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


def _normalise_host(host: str) -> str:
    if not host:
        raise InvalidURL("URL has no host")
    if host.startswith("["):
        if not host.endswith("]"):
            raise InvalidURL(f"URL has a malformed IPv6 host: {host!r}")
        try:
            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise InvalidURL(f"URL has a malformed IPv6 host: {host!r}") from None
        return f"[{address.compressed}]"
    host = host.lower().removesuffix(".")
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidURL(f"URL host {host!r} is not a valid domain name") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise InvalidURL(f"URL host {host!r} is not a valid domain name")
    return ascii_host


def _split_authority(netloc: str) -> tuple[str, int | None]:
    if "@" in netloc:
        raise InvalidURL("URL contains credentials (user:password@); remove them")
    host, port_text = netloc, ""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end == -1:
            raise InvalidURL(f"URL has a malformed IPv6 host: {netloc!r}")
        host, rest = netloc[: end + 1], netloc[end + 1 :]
        if rest and not rest.startswith(":"):
            raise InvalidURL(f"URL has a malformed host: {netloc!r}")
        port_text = rest[1:]
    elif ":" in netloc:
        host, _, port_text = netloc.partition(":")
    if not port_text:
        return host, None
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidURL(f"URL has an invalid port: {port_text!r}")
    return host, int(port_text)


def _normalise_query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        raw_name, equals, raw_value = part.partition("=")
        name = _normalise_percent(raw_name, _QUERY_NAME_SAFE)
        folded = name.lower()
        if folded.startswith("utm_") or folded in TRACKING_PARAMETERS:
            continue
        pairs.append((name, equals + _normalise_percent(raw_value, _QUERY_VALUE_SAFE)))
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(name + rest for name, rest in pairs)


def _parse(url: str) -> tuple[str, str, int | None, str, str]:
    if not isinstance(url, str):
        raise InvalidURL(f"a URL must be a string, not {type(url).__name__}")
    url = url.strip(" \t\r\n")  # pasted URLs often carry a newline; nothing else is forgiven
    if not url:
        raise InvalidURL("URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(f"URL is {len(url)} characters long; at most {MAX_URL_LENGTH} allowed")
    _refuse_unprintable(url)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise InvalidURL(f"URL cannot be parsed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        shown = f"not {scheme}:" if scheme else "and this one has no scheme"
        raise InvalidURL(f"only http and https URLs are accepted, {shown}")
    if "\\" in parts.netloc:
        raise InvalidURL("URL host contains a backslash")
    raw_host, port = _split_authority(parts.netloc)
    host = _normalise_host(raw_host)
    return scheme, host, port, parts.path, parts.query


def normalise_url(url: str) -> str:
    """The unique key of a source: a canonical http(s) URL without tracking parameters."""
    scheme, host, port, raw_path, raw_query = _parse(url)
    authority = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _remove_dot_segments(_normalise_percent(raw_path, _PATH_SAFE) or "/")
    query = _normalise_query(raw_query)
    key = f"{scheme}://{authority}{path}" + (f"?{query}" if query else "")
    if len(key) > MAX_URL_LENGTH:
        raise InvalidURL(
            f"URL is {len(key)} characters long once encoded; at most {MAX_URL_LENGTH}"
        )
    return key


def publisher_domain(url: str) -> str:
    """The publisher key of a URL: its host without "www.", "m.", "amp." and similar prefixes,
    or, on a social platform, the account that posted it (``x.com/@jack``, sources/platforms.py).
    """
    _, host, _, _, _ = _parse(url)
    host = _PUBLISHER_PREFIXES.sub("", host)
    account = account_of(host, url)
    if account:
        return account.key
    # A post whose URL names no account belongs to the platform itself (one key per platform).
    return canonical_host(host)


def publisher_name(url: str) -> str | None:
    """A readable name for a platform account's publisher (``@jack on X``); None otherwise."""
    _, host, _, _, _ = _parse(url)
    account = account_of(_PUBLISHER_PREFIXES.sub("", host), url)
    return account.name if account else None
