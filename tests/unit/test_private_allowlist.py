"""The operator's private allowlist: what CLAIMDESK_PRIVATE_ALLOWLIST opens, and nothing else."""

from __future__ import annotations

import ipaddress

import pytest

from sources.ssrf import AddressBlocked, PrivateAllowlist, pick_address

LOOP = ipaddress.ip_address("127.0.0.1")


def resolver_to(*addresses: str):
    return lambda host, port: [ipaddress.ip_address(a) for a in addresses]


def test_an_empty_setting_opens_nothing():
    allow = PrivateAllowlist.parse("")
    assert not allow
    with pytest.raises(AddressBlocked):
        pick_address("127.0.0.1", 80, resolver=resolver_to(), allow_private=False, allowlist=allow)


def test_hosts_host_ports_and_networks_are_read():
    allow = PrivateAllowlist.parse(" hooks.internal , 127.0.0.1:8080, [::1]:9000, 10.1.0.0/16 ,")
    assert allow.permits("hooks.internal", 443, ipaddress.ip_address("10.9.9.9"))
    assert allow.permits("HOOKS.internal.", 80, ipaddress.ip_address("10.9.9.9"))
    assert allow.permits("127.0.0.1", 8080, LOOP)
    assert not allow.permits("127.0.0.1", 8081, LOOP)
    assert allow.permits("[::1]", 9000, ipaddress.ip_address("::1"))
    assert allow.permits("other", 1, ipaddress.ip_address("10.1.2.3"))
    assert not allow.permits("other", 1, ipaddress.ip_address("10.2.0.1"))


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "host:0", "host:99999", "host:port", "a b"])
def test_entries_that_cannot_be_read_are_refused_with_their_text(bad):
    with pytest.raises(ValueError, match=r"host|CIDR|port"):
        PrivateAllowlist.parse(bad)


def test_a_listed_loopback_port_passes_the_guard_and_another_port_does_not():
    allow = PrivateAllowlist.parse("127.0.0.1:8080")
    assert (
        pick_address(
            "127.0.0.1", 8080, resolver=resolver_to(), allow_private=False, allowlist=allow
        )
        == LOOP
    )
    with pytest.raises(AddressBlocked, match="loopback"):
        pick_address(
            "127.0.0.1", 8081, resolver=resolver_to(), allow_private=False, allowlist=allow
        )


def test_a_listed_name_is_judged_by_the_name_not_by_what_else_resolves_there():
    allow = PrivateAllowlist.parse("hooks.internal")
    assert pick_address(
        "hooks.internal",
        443,
        resolver=resolver_to("10.0.0.5"),
        allow_private=False,
        allowlist=allow,
    ) == ipaddress.ip_address("10.0.0.5")
    with pytest.raises(AddressBlocked):
        pick_address(
            "evil.example",
            443,
            resolver=resolver_to("10.0.0.5"),
            allow_private=False,
            allowlist=allow,
        )


def test_the_allowlist_never_opens_unspecified_or_multicast_addresses():
    allow = PrivateAllowlist.parse("0.0.0.0/0")
    with pytest.raises(AddressBlocked, match="unspecified"):
        pick_address("0.0.0.0", 80, resolver=resolver_to(), allow_private=False, allowlist=allow)
    with pytest.raises(AddressBlocked, match="multicast"):
        pick_address("224.0.0.1", 80, resolver=resolver_to(), allow_private=False, allowlist=allow)


def test_the_setting_is_validated_when_the_settings_load():
    from pydantic import ValidationError

    from service.settings import Settings

    with pytest.raises(ValidationError, match="CIDR"):
        Settings(env="test", secret_key="k" * 20, private_allowlist="10.0.0.0/99")
    assert Settings(env="test", secret_key="k" * 20, private_allowlist="127.0.0.1").allowlist()
