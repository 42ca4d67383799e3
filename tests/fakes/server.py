"""Serving a fake API on 127.0.0.1: the background thread, its clean stop, and the plumbing
every fake's request handler shares.

`LocalServer(backend, handler, name)` binds a free port on 127.0.0.1 at once (so its `url` is
known before it starts), answers each connection in a daemon thread of its own, and stops at
once on `close()`: it sets `stopping`, which every deliberately slow answer (a hang, a held or
delayed turn) waits on, so a hanging request never holds up the shutdown. `ServedFake` gives a
fake that owns a `LocalServer` its context manager and `close()`.

`FakeHandler` is the request handler's shared plumbing: one request per connection, silent
logging (the fake's request log is the record), the methods it serves (any other is a 501),
the request's body, headers and host, waits cut short by `stopping`, a TCP reset, answers sent
with the request settled first, and `logged()`, which marks a request whose client hung up.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

B = TypeVar("B")


class Logged(Protocol):
    """What `FakeHandler.logged` needs of a logged request."""

    outcome: str
    finished_at: float | None


class Settled(Logged, Protocol):
    """A logged request that also records the status it was answered with."""

    status: int | None


class BoundServer(ThreadingHTTPServer, Generic[B]):
    """A threaded HTTP server on a free port of 127.0.0.1 that hands its handlers `backend`."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, backend: B, handler: type[FakeHandler[B]]) -> None:
        self.backend = backend
        self.stopping = threading.Event()
        super().__init__(("127.0.0.1", 0), handler)


class LocalServer(Generic[B]):
    """`handler` served with `backend` in a background thread named `name`."""

    def __init__(self, backend: B, handler: type[FakeHandler[B]], name: str) -> None:
        self._server = BoundServer(backend, handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=name,
            daemon=True,
        )

    @property
    def stopping(self) -> threading.Event:
        """Set once `close()` is called; slow answers wait on it."""
        return self._server.stopping

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop at once: answers still waiting are dropped (their threads end when they see
        `stopping`), never awaited."""
        self.stopping.set()
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


class ServedFake:
    """A fake that serves while it is open as a context manager, or until `close()`."""

    _server: LocalServer[Any]

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving at once; hanging, held or delayed answers are dropped, not awaited."""
        self._server.close()


class FakeHandler(BaseHTTPRequestHandler, Generic[B]):
    """One request per connection, handed to `serve()` when its method is in `methods`."""

    server: BoundServer[B]
    protocol_version = "HTTP/1.1"
    methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST"})

    def serve(self) -> None:
        raise NotImplementedError

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log is the record."""

    def do_GET(self) -> None:
        if self.command not in self.methods:
            self.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({self.command!r})")
            return
        self.close_connection = True
        self.serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def header_map(self) -> dict[str, str]:
        """The request headers, names lower-cased."""
        return {name.lower(): value for name, value in self.headers.items()}

    def host(self) -> str:
        """The `Host` the request named (the server's address without one)."""
        return self.headers.get("host") or "{}:{}".format(*self.server.server_address[:2])

    def wait(self, seconds: float | None) -> bool:
        """Wait `seconds` (None: until the server stops); True if the server stopped."""
        stopping = self.server.stopping
        return stopping.is_set() if seconds == 0 else stopping.wait(seconds)

    def reset_connection(self) -> None:
        """Close with a TCP reset (RST instead of FIN: linger on, timeout 0), no answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def send_head(
        self, status: int, headers: Mapping[str, str], request: Settled | None = None
    ) -> None:
        """The status line and `headers`; `request`, when given, gets its status and end time
        before the headers go out, so a client that has the answer finds the log settled."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if request is not None:
            request.status = status
            request.finished_at = time.monotonic()
        self.end_headers()

    def send_whole(
        self,
        status: int,
        headers: Mapping[str, str],
        data: bytes,
        request: Settled | None = None,
    ) -> None:
        """A complete answer: `headers` plus `content-length` (none for a 204), then `data`
        (not for a HEAD request)."""
        length = {} if status == 204 else {"content-length": str(len(data))}
        self.send_head(status, {**headers, **length}, request)
        if self.command != "HEAD":
            self.wfile.write(data)

    @contextmanager
    def logged(self, request: Logged) -> Iterator[None]:
        """Answer `request` inside; a client that hung up is noted in its outcome (not
        raised), and its end time is set if the answer did not set it."""
        try:
            yield
        except OSError:  # the client hung up (timeout, reset)
            request.outcome += " (client gone)"
        finally:
            if request.finished_at is None:
                request.finished_at = time.monotonic()
