"""Traffic of the fake GitLab: the faults a test plans and the log of every request served.

A `Fault` is one bad answer (rate limit, 5xx, hang, lost answer, connection reset). `FaultRule`
says which requests get it and how many times; rules are tried in the order they were added and
the first matching rule with uses left takes the request. A faulted request changes nothing in
the fake's state, like a request GitLab refused before handling it, except a lost answer, which
is carried out first. Same model as the fake GitHub's `github_traffic`, with GitLab's answers.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import Any, Literal

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
RETRY_LATER = "Retry later\n"  # Rack::Attack's throttle body (`rate_limiting_response_text`)
TOO_MANY = "This endpoint has been requested too many times. Try again later."
UNAVAILABLE_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>GitLab is not responding ({status})</title></head>"
    "<body><h1>{status}</h1><p>Whoops, GitLab is taking too much time to respond.</p>"
    "</body></html>\n"
)

Scope = Literal["writes", "reads", "any"]


@dataclass(frozen=True)
class Fault:
    """One bad answer; build it with the class methods."""

    kind: Literal["http", "hang", "lost", "reset"]
    label: str
    status: int = 0
    content_type: str = "application/json"
    text: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float | None = None

    @classmethod
    def rate_limit(cls, retry_after: int | None = 1, *, limit: int = 600) -> Fault:
        """A Rack::Attack throttle (user and IP rate limits, gitlab.com's 2,000 requests a
        minute): 429, `text/plain` body "Retry later", `Retry-After` and `RateLimit-*` headers.

        python-gitlab (`obey_rate_limit=True`, the default) sleeps `Retry-After` seconds and
        retries, up to `max_retries` (10) times; without the header it backs off 0.1 s, 0.2 s...
        """
        reset = int(time.time()) + (retry_after or 60)
        headers = [
            ("ratelimit-name", "throttle_authenticated_api"),
            ("ratelimit-limit", str(limit)),
            ("ratelimit-observed", str(limit + 1)),
            ("ratelimit-remaining", "0"),
            ("ratelimit-reset", str(reset)),
            ("ratelimit-resettime", formatdate(reset, usegmt=True)),
        ]
        if retry_after is not None:
            headers.insert(0, ("retry-after", str(retry_after)))
        return cls("http", "rate limit 429", 429, "text/plain", RETRY_LATER, tuple(headers))

    @classmethod
    def notes_rate_limit(cls) -> Fault:
        """The application limit on note creation (`notes_create_limit`, 300 a minute): 429
        with GitLab's JSON `{"message": {"error": "This endpoint has been requested too many
        times. Try again later."}}` and no `Retry-After` (python-gitlab backs off 0.1 s...)."""
        return cls("http", "notes rate limit 429", 429, text=TOO_MANY)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        """500 is Rails' JSON `{"message": "500 Internal Server Error"}`; 502/503/504 are the
        HTML error page that Workhorse or the load balancer sends instead."""
        return cls("http", f"server error {status}", status)

    @classmethod
    def hang(cls, seconds: float | None = None) -> Fault:
        """No answer; the connection is closed after `seconds` (None: when the fake stops).
        python-gitlab has no timeout unless `Gitlab(..., timeout=...)` is given."""
        return cls("hang", "hang", seconds=seconds)

    @classmethod
    def lost_answer(cls, seconds: float | None = None) -> Fault:
        """The request is carried out (a write is stored) but its answer never comes: like
        `hang`, the connection is closed after `seconds`. A client that retries duplicates."""
        return cls("lost", "lost answer", seconds=seconds)

    @classmethod
    def reset(cls) -> Fault:
        """The connection is reset before any answer."""
        return cls("reset", "reset")

    def body(self) -> bytes:
        if self.content_type == "text/plain":
            return self.text.encode()
        if self.status == 429:
            return _json({"message": {"error": self.text}})
        if self.status == 500:
            return _json({"message": "500 Internal Server Error"})
        if self.status >= 500:
            return UNAVAILABLE_PAGE.format(status=self.status).encode()
        return _json({"message": f"{self.status} {HTTPStatus(self.status).phrase}"})

    def response_content_type(self) -> str:
        if self.status in (502, 503, 504):
            return "text/html; charset=utf-8"
        return self.content_type


def _json(payload: Any) -> bytes:
    return json.dumps(payload).encode()


@dataclass
class FaultRule:
    """`fault` for the next `times` requests in `on` whose route matches the `path` regex."""

    fault: Fault
    times: int
    on: Scope = "writes"
    path: str | None = None
    hits: int = 0

    def take(self, method: str, route: str) -> bool:
        """Use one of the rule's turns on this request if it matches; True if it did."""
        if self.hits >= self.times:
            return False
        writes = method in WRITE_METHODS
        if (self.on == "writes" and not writes) or (self.on == "reads" and writes):
            return False
        if self.path is not None and not re.search(self.path, route):
            return False
        self.hits += 1
        return True


@dataclass
class RecordedRequest:
    """One request as the fake saw it and answered it.

    `path` is as sent (with any sub-path and `/api/v4`, project paths still URL-encoded);
    `route` is the canonical API path: `/projects/{numeric id}/...` whatever form of project id
    was sent. `params` are the query and body parameters merged (JSON or form, as GitLab's
    Grape merges them). `token_kind` is "personal", "project", "oauth", "job" or None (no
    credentials, or a job token on a route that ignores it); `username` the user it stood for.
    `status` is None for a hang or reset; `outcome` is "ok", "refused" (4xx from validation or
    auth), "unserved" (no such route), or the fault's label. Times are `time.monotonic()`.
    """

    method: str
    path: str
    route: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    prefix: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    username: str | None = None
    token_kind: str | None = None
    status: int | None = None
    outcome: str = "in progress"
    received_at: float = field(default_factory=time.monotonic)
    finished_at: float | None = None

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS
