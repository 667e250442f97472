"""One HTTP POST of a webhook delivery, to an address reviews.addresses checked.

The standard library's http.client, not a client that follows redirects or reads proxy
settings: the connection goes to the checked address (the URL's host name is still sent as
Host and, over TLS, as SNI and the name the certificate must carry), a redirect is an
answer like any other (not 2xx: a failure), and at most EXCERPT bytes of the answer are read.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from reviews.addresses import Refused, Target, target_of

EXCERPT = 500  # characters of the answer kept for the delivery log
USER_AGENT = "Smarketing-Webhooks/1.0"


@dataclass(frozen=True)
class Answer:
    """What one try gave: the receiver's status (None if none answered), a short excerpt of
    its body or the reason nothing answered, and how long it took."""

    status: int | None
    excerpt: str
    error: str
    milliseconds: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to `address`, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        # The host name, not the address: the certificate must be the URL's.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> Answer:
    """POST `body` to `url` once; never raises for what the network or the receiver did."""
    started = time.monotonic()
    try:
        target = target_of(url, allow_private=allow_private)
    except Refused as refusal:
        return Answer(None, "", f"refused: {refusal}", 0)
    try:
        status, excerpt = _post(target, body, headers, timeout)
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, "", _described(error), _since(started))
    return Answer(status, excerpt, "", _since(started))


def _post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    last_error: OSError | None = None
    for address in target.addresses:  # the first that accepts the connection
        kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
        connection = kind(target.host, target.port, address=address, timeout=timeout)
        try:
            connection.connect()
        except OSError as error:
            last_error = error
            connection.close()
            continue
        # `timeout` bounds each socket operation; this bounds the whole answer, so a
        # receiver that trickles a byte at a time cannot hold a shared worker for long.
        cut = threading.Event()
        watchdog = threading.Timer(timeout, _cut, args=(connection, cut))
        watchdog.start()
        try:
            connection.request("POST", target.path, body=body, headers={
                **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT,
            })  # fmt: skip
            response = connection.getresponse()
            excerpt = response.read(EXCERPT * 4).decode("utf-8", "replace")[:EXCERPT]
            return response.status, excerpt
        except (OSError, http.client.HTTPException) as error:
            # The event, not the timer thread's liveness: the thread is still alive for a
            # moment after it shut the socket, and the read it cut ends first.
            if cut.is_set():
                raise TimeoutError("the whole answer took too long") from error
            raise
        finally:
            watchdog.cancel()
            connection.close()
    raise last_error or OSError("no address to connect to")


def _cut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    """Shut the connection's socket from the watchdog's thread: the read waiting on it ends.
    `cut` is set first, so the reader knows why its read ended."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # closed already
            sock.shutdown(socket.SHUT_RDWR)


def _described(error: Exception) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    return f"{type(error).__name__}: {error}"[:300]


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
