"""The HTTP side of the fake GitHub: the request handler its `server.LocalServer` runs.

Every request is logged, then, in this order, may meet a planned fault (see `traffic`), is
matched to a route (none: a 404 whose body names the request), authenticated (an unknown
token: 401; no token: reads only), checked for write permission (a read-only token on a write:
403) and answered by its endpoint in `github_routes`. The API is served both at `/` and at
`/api/v3`; the URLs in answers use the root the request came in on and the `Host` it named.
GraphQL (`github_graphql`) is served at `/graphql` and at `/api/graphql` (logged as `/graphql`);
its errors are answered with 200, so a read-only token's mutation is not refused here.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from tests.fakes import github_graphql as graphql
from tests.fakes.github_routes import RATE_LIMIT, Call, route
from tests.fakes.github_shapes import Site, error_body
from tests.fakes.github_state import NOT_INTEGRATION, ApiError, GitHubState, Token
from tests.fakes.github_traffic import Fault, RecordedRequest
from tests.fakes.traffic import Answer, ApiHandler, Traffic

API_PREFIX = "/api/v3"
GRAPHQL = "/graphql"
"""GraphQL's route: `/graphql` at the root (github.com), `/api/graphql` beside `/api/v3`."""
NOT_JSON = object()


@dataclass
class Backend(Traffic[Fault, RecordedRequest]):
    """State, planned faults, request log and per-login request counts, behind one lock."""

    state: GitHubState = field(default_factory=GitHubState)
    used: dict[str | None, int] = field(default_factory=dict)


class Handler(ApiHandler[Backend, Fault, RecordedRequest]):
    methods = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})

    def serve(self) -> None:
        url = urlsplit(self.path)
        prefix = API_PREFIX if url.path.startswith(API_PREFIX + "/") else ""
        host = self.host()
        site = Site(f"http://{host}{prefix}", f"http://{host}")
        raw = self.read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = NOT_JSON
        request = RecordedRequest(
            self.command,
            url.path,
            url.path.removeprefix(prefix),
            dict(parse_qsl(url.query)),
            self.header_map(),
            body,
        )
        self.respond(request, lambda: self._answer(request, site))

    def canonical(self, route: str) -> str:
        return _canonical(self.server.backend.state, route)

    def _answer(self, request: RecordedRequest, site: Site) -> Answer:
        state = self.server.backend.state
        doc = ""
        try:
            if request.route.startswith("/repositories/"):
                raise ApiError(404, "Not Found")  # no repository has that id
            if request.route == GRAPHQL and request.method == "POST":
                return self._graphql(state, request)
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

    def _graphql(self, state: GitHubState, request: RecordedRequest) -> Answer:
        """`POST /graphql` (see `github_graphql`); its refusals carry GraphQL's docs link."""
        docs = {"documentation_url": graphql.DOCS}
        try:
            token = self._token(state, request)
        except ApiError as error:
            request.outcome = "refused"
            return error.status, {"message": error.message} | docs, {}
        if token is None:
            request.outcome = "refused"
            return 401, {"message": "This endpoint requires you to be authenticated."} | docs, {}
        if request.body is NOT_JSON:
            request.outcome = "refused"
            return 400, {"message": "Problems parsing JSON"} | docs, {}
        status, body = graphql.answer(state, token, request.body)
        request.outcome = "refused" if "errors" in body else "ok"
        return status, body, {"x-ratelimit-resource": "graphql"}

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

    def send_fault(self, fault: Fault, request: RecordedRequest) -> None:
        self.send_answer((fault.status, fault.body(), fault.response_headers()), request)

    def encode(self, answer: Answer, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        status, payload, extra = answer
        backend = self.server.backend
        with backend.lock:
            used = backend.used[request.login] = backend.used.get(request.login, 0) + 1
            number = len(backend.log)
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
        data = b"" if status == 204 else json.dumps(payload).encode()
        return status, headers | extra, data


def _canonical(state: GitHubState, path: str) -> str:
    """`/repositories/{id}/rest` as `/repos/{owner}/{name}/rest` (what pagination links use);
    GitHub Enterprise Server's `/api/graphql` as `/graphql`."""
    if path == "/api" + GRAPHQL:
        return GRAPHQL
    match = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
    if match is None:
        return path
    try:
        return f"/repos/{state.repo_by_id(int(match[1])).full_name}{match[2] or ''}"
    except ApiError:
        return path
