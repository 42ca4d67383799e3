"""A fake OSV API (https://google.github.io/osv.dev/api/) on 127.0.0.1, answering from records
a test adds, with OSV's request and answer shapes, limits and errors, and scripted faults.

    with FakeOsv() as osv:  # or the `fake_osv` fixture (tests/fakes/osv_fixture.py)
        osv.add(record)  # a whole OSV record: id, aliases, affected ranges / versions, ...
        async with OsvClient(osv.url, backoff=0.01) as client:
            await client.query([Package("PyPI", "pyyaml", "5.3.1")])

Serving, as OSV documents it:
* `POST /v1/querybatch` (https://google.github.io/osv.dev/post-v1-querybatch/):
  `{"queries": [{"package": {"ecosystem", "name"}, "version", "page_token"}]}` is answered
  `{"results": [...]}` in query order, each `{"vulns": [{"id", "modified"}]}` plus a
  `next_page_token` while more ids remain, or `{}` when nothing matches ("its corresponding
  result entry may be an empty object"). At most `page_size` ids a query per answer (OSV: 1,000,
  "Pagination" on that page); a query sent again with its `page_token` gets the next ones.
  More than `batch_limit` queries (OSV: `maxBatchQueries = 1000` in osv.dev's
  go/internal/api/query_affected.go) is a 400 "too many queries"; a query without a package
  name is a 400 "error in query at index N: invalid query", an ecosystem the OSV schema does
  not define "... invalid ecosystem" (the same file's `parseQuery`).
* `GET /v1/vulns/{id}` (https://google.github.io/osv.dev/get-v1-vulns/): the record as added;
  an unknown id is a 404 "Vulnerability not found" (naming the records that have it as an
  alias, as go/internal/api/get_vuln_by_id.go does); an id over 100 characters a 400.
Errors are gRPC status JSON, `{"code": 3, "message": "too many queries"}`, as osv.dev's
tools/apitester snapshots show. Any other route is a 404 (outcome "unserved"; the wording of
the real front end's answer is assumed).

Matching follows the schema's evaluation (https://ossf.github.io/osv-schema/#evaluation): a
record affects (ecosystem, name, version) when an `affected[]` entry names the package (PyPI
names compared per PEP 503) and lists the version in `versions`, or an ECOSYSTEM or SEMVER
range's `introduced` / `fixed` / `last_affected` / `limit` events put it inside. Versions
compare with `packaging.version` for PyPI and as SemVer (a leading `v`, build metadata and
missing minor / patch parts tolerated) elsewhere; a version neither can read matches only
through `versions`. Ids come in the order the records were added.

Faults (every request takes the next planned one, whatever its route): `fail_next(status,
times, retry_after=)` answers an error in OSV's shape, `hang_next(seconds)` never answers
(the connection closes after `seconds`, or when the fake stops), `garbage_next(body)` answers
200 with `body` as `application/json`; `inject` (tests/fakes/traffic.py) also plans resets
and truncated or malformed answers. Requests are logged first (`requests()`), faulted ones too.

Not modelled: purl and commit queries, `/v1/query`, the 3,000-ids-a-batch paging, response
size limits, the `modified` times (each id gets its record's `modified`, or a fixed date).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from packaging.version import InvalidVersion, Version

from tests.fakes.server import LocalServer
from tests.fakes.traffic import (
    Answer,
    ApiHandler,
    FaultRule,
    LoggedRequest,
    PlannedFault,
    RecordingFake,
    Traffic,
)

QUERYBATCH = "/v1/querybatch"
VULNS = "/v1/vulns/"
BATCH_LIMIT = 1000
PAGE_SIZE = 1000
NOT_JSON = object()
# The ecosystems the OSV schema defines (https://ossf.github.io/osv-schema/#defined-ecosystems),
# without their `:<RELEASE>` suffixes; osv.dev also accepts "GIT".
# fmt: off
ECOSYSTEMS = frozenset({
    "AlmaLinux", "Alpaquita", "Alpine", "Android", "Azure Linux", "BellSoft Hardened Containers",
    "Bioconductor", "Bitnami", "Chainguard", "CleanStart", "ConanCenter", "CRAN", "crates.io",
    "Debian", "Docker Hardened Images", "Echo", "FreeBSD", "GHC", "GitHub Actions", "Go",
    "Hackage", "Hex", "Julia", "Kubernetes", "Linux", "Mageia", "Maven", "MinimOS", "npm", "NuGet",
    "opam", "openEuler", "openSUSE", "OSS-Fuzz", "Packagist", "Photon OS", "Pub", "PyPI",
    "Red Hat", "Rocky Linux", "Root", "RubyGems", "SUSE", "SwiftURL", "TuxCare", "Ubuntu",
    "VSCode", "Wolfi", "GIT",
})
# fmt: on
# gRPC status codes of the HTTP errors OSV's front end maps them from
# (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto).
GRPC_CODES = {400: 3, 404: 5, 429: 8, 500: 13, 501: 12, 503: 14, 504: 4}


@dataclass(frozen=True)
class Fault(PlannedFault):
    """One bad answer; build it with `http`, `garbage`, or `PlannedFault`'s `hang`, `reset`,
    `truncated`, `malformed`."""

    status: int = 0
    retry_after: str | None = None
    body: bytes | None = None
    """Sent as it is (garbage); None: OSV's error JSON for `status`."""

    @classmethod
    def http(cls, status: int, retry_after: float | str | None = None) -> Fault:
        """`status` with OSV's error body, and `Retry-After: retry_after` when given."""
        after = None if retry_after is None else str(retry_after)
        return cls("http", f"http {status}", status=status, retry_after=after)

    @classmethod
    def garbage(cls, body: bytes | str, status: int = 200) -> Fault:
        """`status` with `body` labelled `application/json`, whatever it is."""
        data = body.encode() if isinstance(body, str) else body
        return cls("http", "garbage", status=status, body=data)


@dataclass
class RecordedRequest(LoggedRequest):
    """One request as the fake saw it (`body` is parsed JSON, or `NOT_JSON`); see
    `LoggedRequest` for `status`, `outcome` ("ok", "refused", "unserved", or a fault's label)
    and the times."""

    @property
    def queries(self) -> list[dict[str, Any]]:
        """The queries of a `/v1/querybatch` request."""
        queries = self.body.get("queries") if isinstance(self.body, dict) else None
        return [q for q in queries if isinstance(q, dict)] if isinstance(queries, list) else []


@dataclass
class Backend(Traffic[Fault, RecordedRequest]):
    """Records, limits, planned faults and the request log, behind one lock."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = PAGE_SIZE
    batch_limit: int = BATCH_LIMIT

    def affecting(self, ecosystem: str, name: str, version: str | None) -> list[str]:
        return [
            vuln_id
            for vuln_id, record in self.records.items()
            if affects(record, ecosystem, name, version)
        ]


class FakeOsv(RecordingFake[Fault, RecordedRequest]):
    """The server and its database; a context manager (or `close()`). Thread-safe."""

    def __init__(self, *, page_size: int = PAGE_SIZE, batch_limit: int = BATCH_LIMIT) -> None:
        self._backend = Backend(page_size=page_size, batch_limit=batch_limit)
        self._server = LocalServer(self._backend, _Handler, "fake-osv")

    @property
    def url(self) -> str:
        """The API root, `http://127.0.0.1:PORT` (as `https://api.osv.dev`)."""
        return self._server.url

    @property
    def page_size(self) -> int:
        return self._backend.page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        with self._backend.lock:
            self._backend.page_size = value

    @property
    def batch_limit(self) -> int:
        return self._backend.batch_limit

    def add(self, *records: Mapping[str, Any]) -> None:
        """Store whole OSV records (a record with a stored id replaces it)."""
        with self._backend.lock:
            for record in records:
                self._backend.records[str(record["id"])] = json.loads(json.dumps(record))

    def affecting(self, ecosystem: str, name: str, version: str | None) -> list[str]:
        """The ids a query for this package version would list (all pages)."""
        with self._backend.lock:
            return self._backend.affecting(ecosystem, name, version)

    def fail_next(
        self, status: int, times: int = 1, retry_after: float | str | None = None
    ) -> FaultRule[Fault]:
        """Answer the next `times` requests with `status` (and `Retry-After` when given)."""
        return self.inject(Fault.http(status, retry_after), times=times, on="any")

    def hang_next(self, seconds: float | None, times: int = 1) -> FaultRule[Fault]:
        """Leave the next `times` requests unanswered for `seconds`, then close them."""
        return self.inject(Fault.hang(seconds), times=times, on="any")

    def garbage_next(
        self, body: bytes | str, times: int = 1, status: int = 200
    ) -> FaultRule[Fault]:
        """Answer the next `times` requests `status` with `body` as their JSON."""
        return self.inject(Fault.garbage(body, status), times=times, on="any")


class _Handler(ApiHandler[Backend, Fault, RecordedRequest]):
    def serve(self) -> None:
        url = urlsplit(self.path)
        raw = self.read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = NOT_JSON
        request = RecordedRequest(
            self.command,
            url.path,
            url.path,
            dict(parse_qsl(url.query)),
            self.header_map(),
            body,
        )
        self.respond(request, lambda: self._answer(request))

    def _answer(self, request: RecordedRequest) -> Answer:
        backend = self.server.backend
        if request.method == "POST" and request.route == QUERYBATCH:
            found = _querybatch(backend, request.body)
        elif request.method == "GET" and request.route.startswith(VULNS):
            found = _vuln(backend, unquote(request.route.removeprefix(VULNS)))
        else:
            request.outcome = "unserved"
            return 404, _error(404, f"{request.method} {request.route} is not served"), {}
        request.outcome = "ok" if found[0] == 200 else "refused"
        return found

    def send_fault(self, fault: Fault, request: RecordedRequest) -> None:
        if fault.body is not None:
            self.send_answer((fault.status, fault.body, {}), request)
            return
        extra = {} if fault.retry_after is None else {"retry-after": fault.retry_after}
        phrase = _phrase(fault.status)
        self.send_answer((fault.status, _error(fault.status, phrase), extra), request)

    def encode(self, answer: Answer, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        status, payload, extra = answer
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"content-type": "application/json", "connection": "close"}
        return status, headers | extra, data


def _querybatch(backend: Backend, body: Any) -> Answer:
    queries = body.get("queries") if isinstance(body, dict) else None
    if not isinstance(queries, list):
        return 400, _error(400, "Invalid JSON payload received: no queries list"), {}
    if len(queries) > backend.batch_limit:
        return 400, _error(400, "too many queries"), {}
    results: list[dict[str, Any]] = []
    for index, query in enumerate(queries):
        parsed = _parse_query(query)
        if isinstance(parsed, str):
            return 400, _error(400, f"error in query at index {index}: {parsed}"), {}
        ecosystem, name, version, offset = parsed
        ids = backend.affecting(ecosystem, name, version)
        page = ids[offset : offset + backend.page_size]
        result: dict[str, Any] = {}
        if page:
            result["vulns"] = [{"id": i, "modified": _modified(backend, i)} for i in page]
        if offset + backend.page_size < len(ids):
            result["next_page_token"] = _token(offset + backend.page_size)
        results.append(result)
    return 200, {"results": results}, {}


def _parse_query(query: Any) -> tuple[str, str, str | None, int] | str:
    """(ecosystem, name, version, offset) of one query, or why OSV refuses it."""
    package = query.get("package") if isinstance(query, dict) else None
    if not isinstance(package, dict):
        return "invalid query"
    ecosystem, name = package.get("ecosystem") or "", package.get("name") or ""
    version = query.get("version")
    if not isinstance(ecosystem, str) or not isinstance(name, str) or not name:
        return "invalid query"
    if ecosystem and ecosystem.split(":")[0] not in ECOSYSTEMS:
        return "invalid ecosystem"
    if version is not None and not isinstance(version, str):
        return "invalid query"
    offset = _offset(query.get("page_token"))
    return "invalid page token" if offset is None else (ecosystem, name, version or None, offset)


def _vuln(backend: Backend, vuln_id: str) -> Answer:
    if len(vuln_id) > 100:
        return 400, _error(400, "ID is too long"), {}
    record = backend.records.get(vuln_id)
    if record is not None:
        return 200, record, {}
    named = [i for i, r in backend.records.items() if vuln_id in (r.get("aliases") or [])]
    message = "Vulnerability not found"
    if named:
        message += f", but the following aliases were: {' '.join(named)}"
    return 404, _error(404, message), {}


def affects(record: Mapping[str, Any], ecosystem: str, name: str, version: str | None) -> bool:
    """Whether `record` affects the package version (any version when `version` is None)."""
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem") != ecosystem:
            continue
        if _name(ecosystem, str(package.get("name"))) != _name(ecosystem, name):
            continue
        if version is None or version in (affected.get("versions") or []):
            return True
        for range_ in affected.get("ranges") or []:
            if range_.get("type") in ("ECOSYSTEM", "SEMVER") and _in_range(
                ecosystem, range_.get("events") or [], version
            ):
                return True
    return False


def _in_range(ecosystem: str, events: Sequence[Mapping[str, str]], version: str) -> bool:
    """The schema's `IncludedInRanges` for one range (with `BeforeLimits`)."""
    try:
        at = _key(ecosystem, version)
        limits = [str(e["limit"]) for e in events if "limit" in e]
        if limits and not any("*" in lim or at < _key(ecosystem, lim) for lim in limits):
            return False
        vulnerable = False
        for event in sorted((e for e in events if "limit" not in e), key=_event_order(ecosystem)):
            kind, value = next(iter(event.items()))
            if kind == "introduced" and (value == "0" or at >= _key(ecosystem, value)):
                vulnerable = True
            elif (kind == "fixed" and at >= _key(ecosystem, value)) or (
                kind == "last_affected" and at > _key(ecosystem, value)
            ):
                vulnerable = False
    except ValueError:  # a version this fake cannot compare
        return False
    return vulnerable


def _event_order(ecosystem: str) -> Any:
    def order(event: Mapping[str, str]) -> tuple[int, Any]:
        kind, value = next(iter(event.items()))
        return (0, ()) if kind == "introduced" and value == "0" else (1, _key(ecosystem, value))

    return order


def _key(ecosystem: str, version: str) -> Any:
    """A sort key for `version`: PEP 440 for PyPI, SemVer-ish elsewhere; ValueError if none."""
    if ecosystem == "PyPI":
        try:
            return Version(version)
        except InvalidVersion as err:
            raise ValueError(version) from err
    text = version.strip().removeprefix("v").split("+", 1)[0]
    core, _, pre = text.partition("-")
    parts = core.split(".")
    if not all(part.isdigit() for part in parts):
        raise ValueError(version)
    numbers = tuple(int(part) for part in parts) + (0,) * (3 - len(parts))
    tags = tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in pre.split(".") if pre)
    return (numbers, 0 if pre else 1, tags)  # a pre-release sorts before its release


def _name(ecosystem: str, name: str) -> str:
    """PEP 503 for PyPI names (https://peps.python.org/pep-0503/#normalized-names)."""
    return re.sub(r"[-_.]+", "-", name).lower() if ecosystem == "PyPI" else name


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"fake-osv-page:{offset}".encode()).decode()


def _offset(token: Any) -> int | None:
    """The offset a `page_token` stands for (0 without one); None for a token not ours."""
    if token is None or token == "":
        return 0
    try:
        text = base64.urlsafe_b64decode(str(token).encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "fake-osv-page" and number.isdigit() else None


def _modified(backend: Backend, vuln_id: str) -> str:
    return str(backend.records[vuln_id].get("modified") or "2024-01-01T00:00:00Z")


def _error(status: int, message: str) -> dict[str, Any]:
    return {"code": GRPC_CODES.get(status, 2), "message": message}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"
