"""The HTTP side of the fake GitLab: the request handler its `server.LocalServer` runs.

The API is served at `/api/v4` (gitlab.com style) and at `<sub_path>/api/v4` (a self-managed
GitLab under a relative URL root); other paths are a 404 HTML page. Every request is logged,
then, in this order, may meet a planned fault (see `traffic`), is matched to a route (none: a
404 `{"error": "404 Not Found"}` whose body also has a `fake` note naming the request), is
authenticated and scope-checked, and is answered by its endpoint in `gitlab_routes`.

Credentials, as GitLab reads them: `PRIVATE-TOKEN` header or `private_token` query (personal
or project access tokens), `Authorization: Bearer` (OAuth tokens and access tokens),
`JOB-TOKEN` header or `job_token` query (CI job tokens, only on routes that take them; ignored
elsewhere, so such a request is anonymous). An unknown token is a 401 `{"message": "401
Unauthorized"}`; a token without the `api` scope (or `read_api` for a GET, `read_user` for
`GET /user`, `read_repository` for reading repository files) a 403 `{"error":
"insufficient_scope", ...}`. Query and body parameters are merged
(JSON or form-encoded with `position[new_line]`-style keys), as Grape merges them.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes.gitlab_routes import Call, Rules, route
from tests.fakes.gitlab_shapes import Site
from tests.fakes.gitlab_state import ApiError, GitLabState, Token
from tests.fakes.gitlab_traffic import Fault, RecordedRequest
from tests.fakes.traffic import Answer, ApiHandler, Traffic

API = "/api/v4"
UNAUTHORIZED: dict[str, Any] = {"message": "401 Unauthorized"}
SCOPE_ERROR = "The request requires higher privileges than provided by the access token."
NOT_FOUND_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>The page you're looking for could not be found (404)"
    "</title></head><body><h1>404</h1><!-- fake GitLab: {request} --></body></html>\n"
)
HTML = "text/html; charset=utf-8"


@dataclass
class Backend(Traffic[Fault, RecordedRequest]):
    """State, planned faults and request log, behind one lock."""

    sub_path: str = field(default="/gitlab", kw_only=True)
    state: GitLabState = field(default_factory=GitLabState)


class Handler(ApiHandler[Backend, Fault, RecordedRequest]):
    methods = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"})

    def serve(self) -> None:
        url = urlsplit(self.path)
        sub_path = self.server.backend.sub_path
        prefix = next((p for p in (sub_path, "") if url.path.startswith(p + API + "/")), None)
        api_path = url.path.removeprefix((prefix or "") + API)
        host = self.host()
        site = Site(f"http://{host}{prefix or ''}{API}", f"http://{host}{prefix or ''}")
        raw = self.read_body()
        query = dict(parse_qsl(url.query))
        body = _body(raw, self.headers.get("content-type") or "")
        params = _nest(parse_qsl(url.query)) | (body if isinstance(body, dict) else {})
        request = RecordedRequest(
            self.command,
            url.path,
            api_path if prefix is not None else url.path,
            query,
            self.header_map(),
            body,
            prefix or "",
            params,
        )
        if prefix is None:  # not the API: GitLab's 404 page
            self.respond(request, lambda: _not_found_page(request))
        else:
            self.respond(request, lambda: self._answer(request, site, api_path))

    def canonical(self, route: str) -> str:
        return _canonical(self.server.backend.state, route)

    def _answer(self, request: RecordedRequest, site: Site, api_path: str) -> Answer:
        state = self.server.backend.state
        found = route("GET" if request.method == "HEAD" else request.method, api_path)
        if found is None:
            request.outcome = "unserved"
            note = f"{request.method} {request.path} is not served by the fake GitLab"
            return 404, {"error": "404 Not Found", "fake": note}, {}
        endpoint, args, rules = found
        try:
            if request.body is _NOT_JSON:
                raise ApiError(400, {"error": "The request body is not valid JSON"})
            token = self._token(state, request, rules)
            if token is None and (rules.authenticate or request.is_write):
                raise ApiError(401, UNAUTHORIZED)
            call = Call(state, site, args, request.query, request.params, token, api_path)
            answer = endpoint(call)
        except ApiError as error:
            request.outcome = "refused"
            return error.status, error.body, {}
        request.outcome = "ok"
        return answer

    def _token(self, state: GitLabState, request: RecordedRequest, rules: Rules) -> Token | None:
        """The request's credentials: None when there are none (or an ignored job token)."""
        headers, query = request.headers, request.query
        private = headers.get("private-token") or query.get("private_token")
        scheme, _, bearer = headers.get("authorization", "").partition(" ")
        job = headers.get("job-token") or query.get("job_token")
        kinds: tuple[str, ...]
        if private:
            kinds, value = ("personal", "project"), private
        elif scheme.lower() == "bearer" and bearer.strip():
            kinds, value = ("oauth", "personal", "project", "job"), bearer.strip()
        elif job and rules.job_token:
            kinds, value = ("job",), job
        else:
            return None
        token = state.tokens.get(value)
        if (
            token is None
            or token.kind not in kinds
            or (token.kind == "job" and not rules.job_token)
        ):
            raise ApiError(401, UNAUTHORIZED)
        request.username, request.token_kind = token.user.username, token.kind
        if token.kind != "job" and not token.scopes & _allowed(request):
            needed = " ".join(sorted(_allowed(request) - {"read_user"}))
            body = {"error": "insufficient_scope", "error_description": SCOPE_ERROR}
            raise ApiError(403, body | {"scope": needed})
        return token

    def send_fault(self, fault: Fault, request: RecordedRequest) -> None:
        extra = dict(fault.headers)
        headers = _headers(fault.status, fault.response_content_type(), extra)
        self.send_whole(fault.status, headers, fault.body(), request)

    def encode(self, answer: Answer, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        status, payload, extra = answer
        if isinstance(payload, bytes):  # an HTML page
            return status, _headers(status, HTML, extra), payload
        data = b"" if status == 204 else json.dumps(payload).encode()
        return status, _headers(status, "application/json", extra), data


def _headers(status: int, content_type: str, extra: dict[str, str]) -> dict[str, str]:
    """GitLab's answer headers (a request id, its correlation id in `x-gitlab-meta`), then
    `extra`."""
    request_id = uuid.uuid4().hex[:26].upper()
    headers = {
        "connection": "close",
        "cache-control": "max-age=0, private, must-revalidate",
        "x-request-id": request_id,
        "x-gitlab-meta": json.dumps({"correlation_id": request_id, "version": "1"}),
        "x-runtime": "0.010000",
    }
    if status != 204:
        headers["content-type"] = content_type
    return headers | extra


def _not_found_page(request: RecordedRequest) -> Answer:
    request.outcome = "unserved"
    page = NOT_FOUND_PAGE.format(request=f"{request.method} {request.path}")
    return 404, page.encode(), {}


_NOT_JSON = object()


def _allowed(request: RecordedRequest) -> set[str]:
    """Scopes that grant this request: `api`; `read_api` for reads; `read_user` for /user;
    `read_repository` for reading repository files."""
    if request.method not in ("GET", "HEAD"):
        return {"api"}
    files = {"read_repository"} if "/repository/files/" in request.route else set()
    return {"api", "read_api"} | ({"read_user"} if request.route == "/user" else set()) | files


def _body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if "application/x-www-form-urlencoded" in content_type:
        return _nest(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        return json.loads(raw)
    except ValueError:
        return _NOT_JSON


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Rack's nested parameters: `position[new_line]=3` as `{"position": {"new_line": "3"}}`."""
    nested: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key) or [key]
        target = nested
        for part in parts[:-1]:
            child = target.get(part)
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        target[parts[-1]] = value
    return nested


def _canonical(state: GitLabState, path: str) -> str:
    """`/projects/<encoded path>/rest` as `/projects/<numeric id>/rest`."""
    match = re.match(r"/projects/([^/]+)(/.*)?$", path)
    if match is None:
        return path
    project = state.find_project(unquote(match[1]))
    return path if project is None else f"/projects/{project.id}{match[2] or ''}"
