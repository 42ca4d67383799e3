"""The OSV client: which known vulnerabilities affect a package version, and their records, from
the API of the OSV database (https://google.github.io/osv.dev/api/).

    async with OsvClient() as osv:
        ids = await osv.query([Package("PyPI", "pyyaml", "5.3.1")])  # [["GHSA-8q59-...", ...]]
        record = await osv.vulnerability(ids[0][0])

`query` posts `/v1/querybatch` (https://google.github.io/osv.dev/post-v1-querybatch/): at most
`BATCH_LIMIT` queries a request (OSV answers more with 400 "too many queries": the limit is
`maxBatchQueries = 1000` in osv.dev's go/internal/api/query_affected.go, and "a maximum of 1000
package versions" in its OpenAPI description, https://osv.dev/docs/osv_service_v1.swagger.json).
Results come in query order, each `{"vulns": [{"id", "modified"}], "next_page_token"}` or `{}`
for none; a result with a `next_page_token` (OSV pages past 1,000 ids for one query or 3,000
for the batch) is asked again with that `page_token`, as the page's "Pagination" section says.
`vulnerability` gets `/v1/vulns/{id}` (https://google.github.io/osv.dev/get-v1-vulns/) once per
client: records are cached, and concurrent callers of one id share one request.

Failures: a 429, a 5xx, a reset or no answer within `timeout` seconds (the whole exchange) is
tried again, `retries` times at most, after `backoff` seconds doubling each time, or after the
answer's `Retry-After`, never longer than `max_wait`. OSV says its API has no rate limits
(https://google.github.io/osv.dev/api/), but its front end may still answer 429 or 503. Any
other 4xx, an answer that is not JSON or not OSV's shape, and whatever still fails once the
retries are spent raise `OsvError`, whose message is one line naming what happened.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any, Self
from urllib.parse import quote

import httpx

from baton._version import __version__

DEFAULT_URL = "https://api.osv.dev"
BATCH_LIMIT = 1000
"""Queries per `/v1/querybatch` request that OSV accepts (see the module docstring)."""
MAX_WAIT = 30.0
"""Seconds baton waits at most before a retry, whatever `Retry-After` asks."""
MAX_PAGES = 100
"""Rounds of `next_page_token` followed before baton gives up on a query."""
CONCURRENCY = 8
"""Requests one client has in flight at most."""


class OsvError(Exception):
    """OSV could not be asked, or answered what baton cannot use; the message is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message, 300))


@dataclass(frozen=True)
class Package:
    """One package version to ask OSV about; `ecosystem` as OSV spells it ("PyPI", "npm")."""

    ecosystem: str
    name: str
    version: str

    def query(self, page_token: str | None = None) -> dict[str, Any]:
        """This package's entry in a `/v1/querybatch` request."""
        query: dict[str, Any] = {
            "package": {"ecosystem": self.ecosystem, "name": self.name},
            "version": self.version,
        }
        if page_token is not None:
            query["page_token"] = page_token
        return query


class OsvClient:
    """One run's connection to OSV; `async with` it, or `await aclose()` when done. Use it from
    one event loop."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(retries, 0)
        self.backoff = backoff
        self.max_wait = max_wait
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": f"baton/{__version__}", "Accept": "application/json"},
        )
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._records: dict[str, asyncio.Future[dict[str, Any]]] = {}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def query(self, packages: Sequence[Package]) -> list[list[str]]:
        """The ids of the vulnerabilities OSV knows for each package, in the packages' order
        (each list in OSV's order, without repeats)."""
        found: list[dict[str, None]] = [{} for _ in packages]  # ordered sets
        pending: list[tuple[int, str | None]] = [(index, None) for index in range(len(packages))]
        for _ in range(MAX_PAGES):
            if not pending:
                return [list(ids) for ids in found]
            following: list[tuple[int, str | None]] = []
            for start in range(0, len(pending), BATCH_LIMIT):
                chunk = pending[start : start + BATCH_LIMIT]
                body = {"queries": [packages[index].query(token) for index, token in chunk]}
                answer = await self._send("POST", "/v1/querybatch", body)
                for (index, _), result in zip(chunk, _results(answer, len(chunk)), strict=True):
                    ids, token = _vulns(result)
                    found[index].update(dict.fromkeys(ids))
                    if token:
                        following.append((index, token))
            pending = following
        if not pending:
            return [list(ids) for ids in found]
        late = packages[pending[0][0]]
        raise OsvError(
            f"OSV kept paging: {late.ecosystem} {late.name} {late.version} has more than "
            f"{MAX_PAGES} pages of vulnerabilities"
        )

    async def vulnerability(self, vuln_id: str) -> dict[str, Any]:
        """The OSV record of `vuln_id` (shared: do not change it), fetched once per client."""
        record = self._records.get(vuln_id)
        if record is None or (record.done() and (record.cancelled() or record.exception())):
            record = self._records[vuln_id] = asyncio.ensure_future(self._fetch(vuln_id))
        return await asyncio.shield(record)

    async def _fetch(self, vuln_id: str) -> dict[str, Any]:
        path = f"/v1/vulns/{quote(vuln_id, safe='')}"
        record = await self._send("GET", path)
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise _unreadable(f"GET {path} answered {_kind(record)}, not a vulnerability record")
        return record

    async def _send(self, method: str, path: str, body: Any = None) -> Any:
        """The JSON answer to one request, sent again after failures worth retrying."""
        failures: list[str] = []
        wait = 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(wait)
            wait = min(self.backoff * 2**attempt, self.max_wait)
            try:
                async with self._slots, asyncio.timeout(self.timeout):
                    response = await self._http.request(method, path, json=body)
            except (TimeoutError, httpx.TimeoutException):
                failures.append(f"OSV at {self.base_url} did not answer within {self.timeout:g} s")
                continue
            except httpx.TransportError as err:
                failures.append(f"OSV at {self.base_url} could not be reached ({_cause(err)})")
                continue
            except httpx.HTTPError as err:  # e.g. a body its content-encoding cannot decode
                raise _unreadable(f"{method} {path} failed ({_cause(err)})") from None
            status = response.status_code
            if status == 429 or status >= 500:
                failures.append(f"OSV answered {status} {_phrase(response)}")
                later = _retry_after(response)
                wait = wait if later is None else min(later, self.max_wait)
                continue
            if not 200 <= status < 300:
                answered = f"OSV answered {status} {_phrase(response)}"
                raise OsvError(f"{answered} to {method} {path}{_detail(response)}")
            try:
                return response.json()
            except ValueError:
                not_json = f"{method} {path} answered {status} with a body that is not JSON"
                raise _unreadable(not_json) from None
        raise OsvError(_gave_up(failures))


def _results(answer: Any, expected: int) -> list[Any]:
    """The `results` of a `/v1/querybatch` answer, one per query sent."""
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list):
        raise _unreadable(f"POST /v1/querybatch answered {_kind(answer)} without a results list")
    if len(results) != expected:
        raise _unreadable(f"{len(results)} results came for {expected} queries")
    return results


def _vulns(result: Any) -> tuple[list[str], str | None]:
    """The vulnerability ids of one result and its `next_page_token` (None: no more)."""
    if not isinstance(result, dict):
        raise _unreadable(f"a result is {_kind(result)}, not an object")
    vulns = result.get("vulns", [])
    if not isinstance(vulns, list):
        raise _unreadable(f"a result's vulns is {_kind(vulns)}, not a list")
    ids = [vuln.get("id") if isinstance(vuln, dict) else None for vuln in vulns]
    if not all(isinstance(i, str) and i for i in ids):
        raise _unreadable("a result lists a vulnerability without an id")
    token = result.get("next_page_token")
    if token is not None and not isinstance(token, str):
        raise _unreadable(f"a result's next_page_token is {_kind(token)}, not a string")
    return [str(i) for i in ids], token or None


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds `Retry-After` asks for (delay-seconds or an HTTP date); None without one."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _gave_up(failures: list[str]) -> str:
    last, count = failures[-1], len(failures)
    if count == 1:
        return last
    if any(failure != last for failure in failures):
        return f"{last} ({count} attempts failed)"
    return f"{last} {count} times" if last.startswith("OSV answered") else f"{last} ({count} tries)"


def _phrase(response: httpx.Response) -> str:
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return response.reason_phrase or "error"


def _detail(response: httpx.Response) -> str:
    """OSV's message in an error answer (`{"code": 3, "message": ...}`) after ": "; or ""."""
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return f": {_one_line(message, 200)}" if isinstance(message, str) and message.strip() else ""


def _unreadable(what: str) -> OsvError:
    return OsvError(f"OSV sent a response baton cannot read: {what}")


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    names |= {int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def _cause(err: httpx.HTTPError) -> str:
    return f"{type(err).__name__}: {_one_line(str(err), 120) or 'no detail'}"


def _one_line(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
