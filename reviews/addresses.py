"""Where a webhook may be delivered: its URL's shape, and the addresses its host resolves to.

A webhook URL is typed by an admin but fetched by our servers, from inside our network: left
unchecked it would let anyone with an admin role make the server call its own database, the
cloud's metadata service (169.254.169.254) or an intranet page (server-side request
forgery). So a delivery goes only to public addresses, checked when it is made, on the
addresses the host resolves to then, every one of them; and the delivery connects to an
address checked here, never to the name again (a second resolution could answer otherwise:
DNS rebinding). WEBHOOKS_ALLOW_PRIVATE lifts the check, for local development and tests.

Pure apart from the resolver, which may be passed in (socket.getaddrinfo by default).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

MAX_URL_LENGTH = 1000
SCHEMES = ("http", "https")
# IPv6 prefixes that carry an IPv4 address a gateway forwards to: the IPv4 address is the
# one reached, so it is the one checked. NAT64's well-known prefix (RFC 6052) and its local
# one (RFC 8215).
NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


class Refused(Exception):
    """The URL may not be delivered to; the message says why (in English, for the log)."""


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the URL's parts and the checked addresses to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def url_problem(url: str) -> str | None:
    """What is wrong with `url` as a webhook endpoint, or None: http(s), a host, no user or
    password in it, a valid port, at most MAX_URL_LENGTH characters. The address is not
    checked here (see `refused_reason`)."""
    if len(url) > MAX_URL_LENGTH:
        return "too_long"
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "invalid"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "invalid"
    if parts.scheme.lower() not in SCHEMES:
        return "scheme"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "credentials"
    if not parts.hostname:
        return "host"
    if parts.fragment:
        return "fragment"
    return None


def literal_address(host: str) -> Address | None:
    """The address a host written as one is (127.0.0.1, ::1), else None (a name)."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def refused_reason(address: Address) -> str | None:
    """Why a delivery may not go to `address` (loopback, private, link-local, reserved,
    multicast, unspecified, or not globally reachable), or None for a public one. An IPv6
    address carrying an IPv4 one (mapped, 6to4, Teredo, NAT64) is judged by that one too."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # that IPv4 address itself, written in IPv6
            return refused_reason(address.ipv4_mapped)
        for carried in _carried(address):
            reason = refused_reason(carried)
            if reason:
                return reason
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not global", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def _carried(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    carried = [address.sixtofour]
    if address.teredo:
        carried.append(address.teredo[1])  # the client's address, which the relay reaches
    if any(address in network for network in NAT64):
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [c for c in carried if c is not None]


def target_of(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> Target:
    """Resolve `url`'s host now (with `resolve`, socket.getaddrinfo by default) and check
    every address it gives; the target to connect to, or Refused (a bad URL, a name that
    does not resolve, or any address not public)."""
    if url_problem(url):
        raise Refused(f"not a deliverable URL: {url_problem(url)}")
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        found = (resolve or socket.getaddrinfo)(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError) as error:
        raise Refused(f"{host} does not resolve: {error}") from error
    addresses = _distinct(literal_address(str(info[4][0])) for info in found)
    if not addresses:
        raise Refused(f"{host} resolves to no address")
    if not allow_private:
        for address in addresses:
            reason = refused_reason(address)
            if reason:
                raise Refused(f"{host} resolves to {address}, a {reason} address")
    return Target(
        scheme=parts.scheme.lower(), host=host, port=port, path=_path(parts),
        addresses=tuple(str(a) for a in addresses),
    )  # fmt: skip


def _distinct(addresses: Any) -> list[Address]:
    seen: list[Address] = []
    for address in addresses:
        if address is not None and address not in seen:
            seen.append(address)
    return seen


def _path(parts: SplitResult) -> str:
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path
