"""Traffic of the fake GitHub: the faults a test plans and the log of every request served.

A `Fault` is one bad answer (secondary or primary rate limit, 5xx, hang, lost answer,
connection reset).
`FaultRule` says which requests get it and how many times; rules are tried in the order they
were added and the first matching rule with uses left takes the request. A faulted request
changes nothing in the fake's state, like a request GitHub refused before handling it, except
a lost answer, which is carried out first.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID FAKE:0001."
)
RATE_LIMIT_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)

Scope = Literal["writes", "reads", "any"]


@dataclass(frozen=True)
class Fault:
    """One bad answer; build it with the class methods."""

    kind: Literal["http", "hang", "lost", "reset"]
    label: str
    status: int = 0
    message: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float | None = None
    primary_reset_in: int | None = None

    @classmethod
    def secondary_rate_limit(cls, retry_after: int | None = 1, *, status: int = 403) -> Fault:
        """GitHub's secondary rate limit: 403 (or 429) with `retry-after` when given.

        PyGithub's `GithubRetry` sleeps `retry-after` seconds; without the header it sleeps its
        `secondary_rate_wait` (60 s by default), so tests keep the header.
        """
        headers = () if retry_after is None else (("retry-after", str(retry_after)),)
        label = f"secondary rate limit {status}"
        return cls("http", label, status, SECONDARY_MESSAGE, headers)

    @classmethod
    def primary_rate_limit(cls, reset_in: int = 1) -> Fault:
        """403 "API rate limit exceeded", `x-ratelimit-remaining: 0`, reset `reset_in` s ahead."""
        message = "API rate limit exceeded for installation ID 1."
        return cls("http", "primary rate limit", 403, message, primary_reset_in=reset_in)

    @classmethod
    def server_error(cls, status: int = 502) -> Fault:
        return cls("http", f"server error {status}", status, HTTPStatus(status).phrase)

    @classmethod
    def hang(cls, seconds: float | None = None) -> Fault:
        """No answer; the connection is closed after `seconds` (None: when the fake stops)."""
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

    def response_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.primary_reset_in is not None:
            reset = int(time.time()) + self.primary_reset_in
            headers |= {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
        return headers

    def body(self) -> dict[str, Any]:
        doc = RATE_LIMIT_DOCS if "rate limit" in self.label else "https://docs.github.com/rest"
        return {"message": self.message, "documentation_url": doc, "status": str(self.status)}


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

    `path` is as sent (with any `/api/v3` prefix); `route` is the canonical API path
    (`/repos/{owner}/{name}/...`, also for `/repositories/{id}/...` links). `status` is None
    for a hang or reset; `outcome` is "ok", "refused" (4xx from validation or auth),
    "unserved" (no such route), or the fault's label. Times are `time.monotonic()`.
    """

    method: str
    path: str
    route: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    login: str | None = None
    status: int | None = None
    outcome: str = "in progress"
    received_at: float = field(default_factory=time.monotonic)
    finished_at: float | None = None

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS
