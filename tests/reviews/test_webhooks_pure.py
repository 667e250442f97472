"""Where a webhook may go and when a failed one is tried again: pure, without a database."""

import ipaddress
import itertools
import socket
from datetime import UTC, datetime, timedelta

import pytest

from reviews.addresses import Refused, refused_reason, target_of, url_problem
from reviews.retries import next_try_at, schedule

WAITS = [30, 120, 600, 3600, 10800, 21600]
DAY = timedelta(hours=24)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def resolving(*addresses):
    """A resolver that answers `addresses` for any name, as getaddrinfo would."""

    def resolve(host, port, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return resolve


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://hooks.example.com/smarketing", None),
        ("http://hooks.example.com:8080/a?b=c", None),
        ("ftp://hooks.example.com/", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("hooks.example.com/path", "scheme"),
        ("https:///path", "host"),
        ("https://user:pw@hooks.example.com/", "credentials"),
        ("https://token@hooks.example.com/", "credentials"),
        ("https://hooks.example.com:99999/", "invalid"),
        ("https://hooks.example.com/a b", "invalid"),
        ("https://hooks.example.com/#frag", "fragment"),
        ("https://hooks.example.com/" + "a" * 1000, "too_long"),
    ],
)
def test_a_url_must_be_http_with_a_host_and_no_credentials(url, problem):
    assert url_problem(url) == problem


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.8.8", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud's metadata service
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address checked, not bound
        ("100.64.0.1", "not global"),  # carrier-grade NAT
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("8.8.8.8", None),
        ("2a00:1450:4001:80b::200e", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_only_public_addresses_are_delivered_to(address, reason):
    assert refused_reason(ipaddress.ip_address(address)) == reason


def test_a_name_is_refused_if_any_of_its_addresses_is_not_public():
    with pytest.raises(Refused, match=r"10\.0\.0\.7, a private address"):
        target_of(
            "https://hooks.example.com/x",
            allow_private=False,
            resolve=resolving("93.184.216.34", "10.0.0.7"),
        )


def test_the_target_keeps_the_checked_addresses_to_connect_to():
    target = target_of(
        "https://hooks.example.com/x?y=1",
        allow_private=False,
        resolve=resolving("93.184.216.34", "93.184.216.34", "2606:2800:220:1::1"),
    )

    assert target.addresses == ("93.184.216.34", "2606:2800:220:1::1")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https", "hooks.example.com", 443, "/x?y=1",
    )  # fmt: skip


def test_private_addresses_are_allowed_only_when_the_setting_says_so():
    target = target_of("http://localhost:8000/", allow_private=True, resolve=resolving("127.0.0.1"))

    assert target.addresses == ("127.0.0.1",)
    with pytest.raises(Refused, match="loopback"):
        target_of("http://localhost:8000/", allow_private=False, resolve=resolving("127.0.0.1"))


def test_a_name_that_does_not_resolve_is_refused():
    def failing(host, port, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    with pytest.raises(Refused, match="does not resolve"):
        target_of("https://nowhere.invalid/", allow_private=False, resolve=failing)


def test_retries_wait_longer_each_time_and_the_last_falls_a_day_after_the_first():
    tries = schedule(started_at=T0, waits=WAITS, give_up_after=DAY)

    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(tries)]
    assert gaps[:6] == [30, 120, 600, 3600, 10800, 21600]
    assert all(gap <= 21600 for gap in gaps[6:])
    assert tries[-1] == T0 + DAY
    assert len(tries) == 10


def test_after_the_try_a_day_later_fails_the_delivery_is_given_up():
    last = T0 + DAY

    assert next_try_at(started_at=T0, tries=9, now=last, waits=WAITS, give_up_after=DAY) is None
    assert (
        next_try_at(
            started_at=T0, tries=9, now=last - timedelta(minutes=1), waits=WAITS, give_up_after=DAY
        )
        == last
    )


def test_a_late_try_does_not_bring_the_next_one_closer():
    late = T0 + timedelta(hours=2)  # the second try, ran late

    assert next_try_at(started_at=T0, tries=2, now=late, waits=WAITS, give_up_after=DAY) == (
        late + timedelta(seconds=120)
    )
