"""A real HTTP receiver for webhook tests: http.server on 127.0.0.1 and an ephemeral port, in
a thread, keeping every request it gets and answering the statuses it is told to."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    # Answered in turn, then `then` for every request after them.
    answers: list[int] = field(default_factory=list)
    then: int = 200
    delay: float = 0.0
    location: str = ""  # a redirect's Location, when an answer is 3xx

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def answer(self) -> int:
        return self.answers.pop(0) if self.answers else self.then

    def verified(self, secret: str) -> list[Any]:
        """Every body received, verified by the standardwebhooks package with `secret`
        (raises WebhookVerificationError for one that does not verify)."""
        return [Webhook(secret).verify(r.body, r.headers) for r in self.requests]

    def wait_for(self, count: int, seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.requests) >= count


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.answer()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.location or "/elsewhere")
            payload = b"ok" if status < 300 else b"x" * 5000  # a long answer is cut short
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
