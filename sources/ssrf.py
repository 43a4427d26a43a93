"""Server-side request forgery guard: which addresses we fetch from, and a pinned connection.

Anyone may file a source, so a URL is untrusted input: without a guard, "fetch this page" is
"make the server request http://169.254.169.254/ or the database's admin port for me". The guard
has three parts, and the order matters:

1. resolve the host once and judge EVERY address it resolves to (one bad answer refuses the
   host: a name that mixes public and private answers is an attack or a misconfiguration);
2. connect to the address that was judged, never to the name again: a second lookup could
   answer differently (DNS rebinding), so the check would prove nothing;
3. keep the name for everything above the socket: the ``Host`` header, TLS SNI and the
   certificate check, so pinning never weakens HTTPS.

``PinnedAddressAdapter`` does 1-3 at the one seam where ``requests`` opens connections
(``build_connection_pool_key_attributes``), so every request and every redirect hop through a
session that mounts it is checked. It is the technique of ``requests-hardened`` (Saleor), which
we evaluated first and did not use because it judges only the first resolved address, lets
IPv4-compatible (``::7f00:1``) and site-local (``fec0::/10``) IPv6 through on the Python we run
(it relies on ``ipaddress.is_private``, whose answers change between patch releases), takes no
injectable resolver (tests would have to patch ``socket`` globally) and reports a failed lookup
as a generic ``ConnectionError``. The address table below is explicit, so the decision does not
depend on the Python version.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy

__all__ = [
    "AddressBlocked",
    "HostUnresolvable",
    "IPAddress",
    "PinnedAddressAdapter",
    "PrivateAllowlist",
    "Resolver",
    "pick_address",
    "resolve_host",
    "why_blocked",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[IPAddress]]
"""Maps (host, port) to its addresses; raises OSError when the name does not resolve."""

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
# Never a web server, whatever the setting: nothing to fetch a page from.
_NEVER: list[tuple[_V4 | _V6, str]] = [
    (_V4("0.0.0.0/8"), "unspecified ('this network')"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V6("::/128"), "unspecified"),
    (_V6("ff00::/8"), "multicast"),
]
# Not on the public internet; allowed only with allow_private (tests, on loopback).
_PRIVATE: list[tuple[_V4 | _V6, str]] = [
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "shared address space (carrier-grade NAT)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local (cloud metadata)"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "IETF protocol assignments"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "6to4 relay anycast"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("240.0.0.0/4"), "reserved"),
    (_V6("::1/128"), "loopback"),
    (_V6("::/96"), "IPv4-compatible (deprecated)"),
    (_V6("64:ff9b:1::/48"), "local-use NAT64"),
    (_V6("100::/64"), "discard-only"),
    (_V6("2001::/32"), "Teredo"),
    (_V6("2001::/23"), "IETF protocol assignments"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("2002::/16"), "6to4"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("5f00::/16"), "segment routing"),
    (_V6("fc00::/7"), "unique local (private)"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local (deprecated)"),
]
_NAT64 = _V6("64:ff9b::/96")


class AddressBlocked(Exception):
    """The host resolves to an address we refuse to connect to."""

    def __init__(self, host: str, address: IPAddress | None, why: str) -> None:
        shown = f"resolves to {address}, which is" if address is not None else "is reached"
        super().__init__(f"{host} {shown} {why}")
        self.host, self.address, self.why = host, address, why


class HostUnresolvable(Exception):
    """The host name has no address (or the lookup failed)."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"{host} does not resolve: {detail}")
        self.host, self.detail = host, detail


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address stands for, when the network will route it there."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address in _NAT64:
        return "NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _with_tunnel_end(address: IPAddress, label: str) -> str:
    """Name the IPv4 end of a 6to4 or Teredo address, so a log says where it would have gone."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.sixtofour is not None:
            return f"{label} (tunnels to {address.sixtofour})"
        if address.teredo is not None:
            return f"{label} (tunnels to {address.teredo[1]})"
    return label


def why_blocked(address: IPAddress, *, allow_private: bool = False) -> str | None:
    """Why we refuse to connect to this address, or None when fetching from it is allowed."""
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Address(address.compressed.split("%")[0])  # drop a zone id
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            kind, ipv4 = embedded
            why = why_blocked(ipv4, allow_private=allow_private)
            return f"{kind} {ipv4}, {why}" if why else None
    for network, label in _NEVER:
        if address.version == network.version and address in network:
            return label
    if allow_private:
        return None
    for network, label in _PRIVATE:
        if address.version == network.version and address in network:
            return _with_tunnel_end(address, label)
    # A range the table misses (a newer IANA assignment) is caught here: refusing an address
    # that is not globally routable costs nothing, since no public page lives there.
    return None if address.is_global else "not globally routable"


@dataclass(frozen=True)
class PrivateAllowlist:
    """Private or loopback destinations an operator opened on purpose (an internal receiver).

    Written as ``CLAIMDESK_PRIVATE_ALLOWLIST``: comma-separated host names or addresses (any
    port), ``host:port`` (that port only, ``[::1]:8080`` for IPv6) and CIDR networks. Only the
    private ranges can be opened: unspecified, multicast and broadcast addresses stay refused.
    """

    hosts: frozenset[str] = frozenset()
    host_ports: frozenset[tuple[str, int]] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> PrivateAllowlist:
        """Read the setting; raises ValueError naming the entry it cannot read."""
        hosts: set[str] = set()
        host_ports: set[tuple[str, int]] = set()
        networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for raw in text.split(","):
            entry = raw.strip().lower()
            if not entry:
                continue
            if "/" in entry:
                try:
                    networks.append(ipaddress.ip_network(entry, strict=False))
                except ValueError as exc:
                    raise ValueError(f"{entry!r} is not a CIDR network") from exc
                continue
            host, port = _split_host_port(entry)
            if not host or any(c.isspace() for c in host):
                raise ValueError(f"{entry!r} is not a host, host:port or CIDR")
            if port is None:
                hosts.add(host)
            else:
                host_ports.add((host, port))
        return cls(frozenset(hosts), frozenset(host_ports), tuple(networks))

    def permits(self, host: str, port: int, address: IPAddress) -> bool:
        """Whether this host name (as written in the URL), port and address were opened."""
        name = host.strip("[]").lower().rstrip(".")
        for candidate in (name, str(address)):
            if candidate in self.hosts or (candidate, port) in self.host_ports:
                return True
        return any(
            address.version == network.version and address in network for network in self.networks
        )

    def __bool__(self) -> bool:
        return bool(self.hosts or self.host_ports or self.networks)


def _split_host_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise ValueError(f"{entry!r} is not a host, host:port or CIDR")
        return host, _port(entry, rest[1:])
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host.rstrip("."), _port(entry, port)
    return entry.rstrip("."), None  # a bare IPv6 address, or a name


def _port(entry: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{entry!r}: the port must be 1-65535")
    return int(text)


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address of a host name, in the resolver's order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def pick_address(
    host: str,
    port: int,
    *,
    resolver: Resolver,
    allow_private: bool,
    allowlist: PrivateAllowlist | None = None,
) -> IPAddress:
    """Resolve once, refuse the host if any address is disallowed, return the one to dial.

    A literal address is judged as is, without a lookup. The first address is dialled: a
    fallback to the others would be a second decision nobody checked against the first. A
    private address passes only when the allowlist names the host, host:port or network.
    """
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        addresses: Sequence[IPAddress] = [ipaddress.ip_address(literal)]
    except ValueError:
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise HostUnresolvable(host, str(exc) or type(exc).__name__) from exc
    if not addresses:
        raise HostUnresolvable(host, "no address")
    for address in addresses:
        why = why_blocked(address, allow_private=allow_private)
        if (
            why is not None
            and allowlist
            and allowlist.permits(host, port, address)
            and why_blocked(address, allow_private=True) is None
        ):
            why = None
        if why is not None:
            raise AddressBlocked(host, address, why)
    return addresses[0]


class PinnedAddressAdapter(HTTPAdapter):
    """A ``requests`` adapter that dials the checked address and keeps the name above it.

    The connection pool is keyed by the pinned address together with the TLS server name, so a
    pooled connection is reused only for the same (address, name) pair.
    """

    def __init__(
        self,
        *,
        resolver: Resolver = resolve_host,
        allow_private: bool = False,
        allowlist: PrivateAllowlist | None = None,
    ) -> None:
        super().__init__(max_retries=0)  # the fetcher retries, with its own rules
        self._resolver = resolver
        self._allow_private = allow_private
        self._allowlist = allowlist

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: bool | str,
        proxies: dict[str, str] | None = None,
        cert: tuple[str, str] | str | None = None,
    ) -> Any:
        """Refuse proxies: a proxy resolves the name itself, which would undo the pin."""
        if select_proxy(request.url or "", proxies):
            raise AddressBlocked(
                str(request.url), None, "through a proxy, which would re-resolve it"
            )
        return super().get_connection_with_tls_context(request, verify, proxies, cert)

    def build_connection_pool_key_attributes(
        self,
        request: requests.PreparedRequest,
        verify: bool | str,
        cert: tuple[str, str] | str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Swap the host for its checked address; send the name in Host, SNI and cert check."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        host = str(host_params["host"] or "")
        scheme = str(host_params["scheme"])
        port = host_params["port"]
        address = pick_address(
            host,
            port or (443 if scheme == "https" else 80),
            resolver=self._resolver,
            allow_private=self._allow_private,
            allowlist=self._allowlist,
        )
        host_params["host"] = str(address)
        if str(address) != host:
            shown = f"[{host}]" if ":" in host else host
            request.headers = requests.structures.CaseInsensitiveDict(request.headers)
            request.headers["Host"] = f"{shown}:{port}" if port is not None else shown
            if scheme == "https":
                pool_kwargs["server_hostname"] = host
                pool_kwargs["assert_hostname"] = host
        return host_params, pool_kwargs
