"""The HTTP side of the fake GitHub: a threaded server on 127.0.0.1 that answers one request
per connection.

Every request is logged, then, in this order, may meet a planned fault, is matched to a route
(none: a 404 whose body names the request), authenticated (an unknown token: 401; no token:
reads only), checked for write permission (a read-only token on a write: 403) and answered by
its endpoint in `github_routes`. The API is served both at `/` and at `/api/v3`; the URLs in
answers use the root the request came in on and the `Host` it named.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.github_routes import RATE_LIMIT, Answer, Call, route
from tests.fakes.github_shapes import Site, error_body
from tests.fakes.github_state import NOT_INTEGRATION, ApiError, GitHubState, Token
from tests.fakes.github_traffic import Fault, FaultRule, RecordedRequest

API_PREFIX = "/api/v3"
NOT_JSON = object()


@dataclass
class Backend:
    """State, planned faults, request log and per-login request counts, behind one lock."""

    state: GitHubState = field(default_factory=GitHubState)
    rules: list[FaultRule] = field(default_factory=list)
    log: list[RecordedRequest] = field(default_factory=list)
    used: dict[str | None, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def take_fault(self, method: str, path: str) -> Fault | None:
        for rule in self.rules:
            if rule.take(method, path):
                return rule.fault
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log is the record."""

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _handle(self) -> None:
        self.close_connection = True
        backend = self.server.backend
        url = urlsplit(self.path)
        prefix = API_PREFIX if url.path.startswith(API_PREFIX + "/") else ""
        host = self.headers.get("host") or "{}:{}".format(*self.server.server_address[:2])
        site = Site(f"http://{host}{prefix}", f"http://{host}")
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = NOT_JSON
        request = RecordedRequest(
            self.command,
            url.path,
            url.path.removeprefix(prefix),
            dict(parse_qsl(url.query)),
            {name.lower(): value for name, value in self.headers.items()},
            body,
        )
        with backend.lock:
            request.route = _canonical(backend.state, request.route)
            backend.log.append(request)
            fault = backend.take_fault(request.method, request.route)
        try:
            if fault is not None and fault.kind != "lost":
                self._fault(fault, request)
                return
            with backend.lock:
                status, payload, extra = self._answer(request, site)
            if fault is not None:
                request.outcome = f"{fault.label} ({status})"
                backend.stopping.wait(fault.seconds)
                return
            self._send(status, payload, extra, request)
        except OSError:  # the client hung up
            request.outcome += " (client gone)"
        finally:
            if request.finished_at is None:
                request.finished_at = time.monotonic()

    def _answer(self, request: RecordedRequest, site: Site) -> Answer:
        state = self.server.backend.state
        doc = ""
        try:
            if request.route.startswith("/repositories/"):
                raise ApiError(404, "Not Found")  # no repository has that id
            found = route(request.method, request.route)
            if found is None:
                request.outcome = "unserved"
                note = f"{request.method} {request.route} is not served by the fake GitHub"
                return 404, error_body(404, "Not Found") | {"fake": note}, {}
            endpoint, args, doc = found
            token = self._token(state, request)
            if request.is_write and token is None:
                raise ApiError(401, "Requires authentication")
            if request.is_write and token is not None and not token.write:
                raise ApiError(403, NOT_INTEGRATION)
            if request.body is NOT_JSON:
                raise ApiError(400, "Problems parsing JSON")
            used = self.server.backend.used.get(request.login, 0)
            call = Call(state, site, args, request.query, request.body, token, request.route, used)
            answer = endpoint(call)
        except ApiError as error:
            request.outcome = "refused"
            return error.status, error_body(error.status, error.message, error.errors, doc), {}
        request.outcome = "ok"
        return answer

    def _token(self, state: GitHubState, request: RecordedRequest) -> Token | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, value = header.partition(" ")
        token = state.tokens.get(value.strip()) if scheme.lower() in ("token", "bearer") else None
        if token is None:
            raise ApiError(401, "Bad credentials")
        request.login = token.user.login
        return token

    def _fault(self, fault: Fault, request: RecordedRequest) -> None:
        request.outcome = fault.label
        if fault.kind == "http":
            self._send(fault.status, fault.body(), fault.response_headers(), request)
        elif fault.kind == "hang":
            self.server.backend.stopping.wait(fault.seconds)
        else:  # RST instead of FIN: linger on, timeout 0
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def _send(
        self, status: int, payload: Any, extra: dict[str, str], request: RecordedRequest
    ) -> None:
        backend = self.server.backend
        with backend.lock:
            used = backend.used[request.login] = backend.used.get(request.login, 0) + 1
            number = len(backend.log)
        data = b"" if status == 204 else json.dumps(payload).encode()
        headers = {
            "content-type": "application/json; charset=utf-8",
            "connection": "close",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-media-type": "github.v3; format=json",
            "x-github-request-id": f"FAKE:{number:04d}",
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(max(RATE_LIMIT - used, 0)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
        }
        if status != 204:
            headers["content-length"] = str(len(data))
        self.send_response(status)
        for name, value in (headers | extra).items():
            self.send_header(name, value)
        request.status = status  # settled before the client can read the answer
        request.finished_at = time.monotonic()
        self.end_headers()
        self.wfile.write(data)


def _canonical(state: GitHubState, path: str) -> str:
    """`/repositories/{id}/rest` as `/repos/{owner}/{name}/rest` (what pagination links use)."""
    match = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
    if match is None:
        return path
    try:
        return f"/repos/{state.repo_by_id(int(match[1])).full_name}{match[2] or ''}"
    except ApiError:
        return path
