"""A Redis that accepts connections and never answers, and Celery pointed at it in-process.

The server counts the connections it accepts: against a server that never answers, each
connection is one call that waited out its socket timeout and gave up, so the count is
how many timeouts the code under test paid, with no clock involved.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from smarketing.celery import app


@dataclass
class SilentRedis:
    url: str
    accepted: list[socket.socket] = field(default_factory=list)

    @property
    def connections(self) -> int:
        return len(self.accepted)


@contextmanager
def silent_redis_server() -> Iterator[SilentRedis]:
    """A server that accepts connections and never answers, like a wedged Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    silent = SilentRedis(url=f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    stop = threading.Event()

    def accept() -> None:
        # A client waits a whole socket timeout on each connection, far longer than this
        # loop takes to accept it, so a count read after the calls returned is complete.
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                silent.accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield silent
    finally:
        stop.set()
        thread.join()
        for conn in silent.accepted:
            conn.close()
        server.close()


@contextmanager
def celery_broker_at(url: str, socket_timeout: int = 1) -> Iterator[None]:
    """Send tasks through the broker at `url`, as production does (the tests otherwise run
    them in-process); the app's connection pools are rebuilt for it and restored after."""
    conf = app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.broker_transport_options)
    pools = (app._pool, app.amqp._producer_pool)
    options = {
        **saved[2],
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
    }
    conf.update(broker_url=url, task_always_eager=False, broker_transport_options=options)
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        conf.update(
            broker_url=saved[0], task_always_eager=saved[1], broker_transport_options=saved[2]
        )
        app._pool, app.amqp._producer_pool = pools
