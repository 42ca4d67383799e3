"""Traffic of the fake GitHub: the faults a test plans and the log of every request served.

A `Fault` is one bad answer (secondary or primary rate limit, 5xx, a 404 from an endpoint this
GitHub does not have, hang, lost answer, connection reset, truncated or malformed answer), in
GitHub's words. Which requests get it, how many times, and when, is `traffic`'s `FaultRule`: a
faulted request changes nothing in the fake's state, like a request GitHub refused before
handling it, except a lost, truncated or malformed answer, whose request is carried out first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from tests.fakes.traffic import FaultRule, LoggedRequest, PlannedFault, Scope

__all__ = ["Fault", "FaultRule", "RecordedRequest", "Scope"]

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID FAKE:0001."
)
RATE_LIMIT_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)
REST_DOCS = "https://docs.github.com/rest"


@dataclass(frozen=True)
class Fault(PlannedFault):
    """One bad answer; build it with the class methods, `hang`, `lost_answer` and `reset`
    (from `PlannedFault`) included."""

    status: int = 0
    message: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    reset_in: int | None = None

    @classmethod
    def secondary_rate_limit(
        cls, retry_after: int | None = 1, *, status: int = 403, reset_in: int | None = None
    ) -> Fault:
        """GitHub's secondary rate limit: 403 (or 429) with `retry-after` when given, and with
        `x-ratelimit-remaining: 0` and `x-ratelimit-reset` `reset_in` s ahead when that is given.

        GitHub: "If the retry-after response header is present, you should not retry your
        request until after that many seconds has elapsed. If the x-ratelimit-remaining header
        is 0, you should not retry your request until after the time, in UTC epoch seconds,
        specified by the x-ratelimit-reset header. Otherwise, wait for at least one minute"
        (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
        #exceeding-the-rate-limit). PyGithub's `GithubRetry` sleeps `retry-after` seconds;
        without the header it sleeps its `secondary_rate_wait` (60 s by default) whatever
        `x-ratelimit-reset` says, and it does not retry a 429 without `retry-after` at all.
        """
        headers = () if retry_after is None else (("retry-after", str(retry_after)),)
        label = f"secondary rate limit {status}"
        return cls("http", label, status, SECONDARY_MESSAGE, headers, reset_in)

    @classmethod
    def primary_rate_limit(cls, reset_in: int = 1) -> Fault:
        """403 "API rate limit exceeded", `x-ratelimit-remaining: 0`, reset `reset_in` s ahead."""
        message = "API rate limit exceeded for installation ID 1."
        return cls("http", "primary rate limit", 403, message, reset_in=reset_in)

    @classmethod
    def server_error(cls, status: int = 502) -> Fault:
        return cls("http", f"server error {status}", status, HTTPStatus(status).phrase)

    @classmethod
    def not_found(cls) -> Fault:
        """404 "Not Found": what GitHub answers for an endpoint it does not have (an older
        GitHub Enterprise Server, an API that is switched off) as for a resource the token
        cannot see (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
        #404-not-found-for-an-existing-resource)."""
        return cls("http", "not found 404", 404, "Not Found")

    @classmethod
    def not_accessible(cls) -> Fault:
        """403 "Resource not accessible by integration": GitHub's answer to every write of a
        token without write permission, e.g. the read-only `GITHUB_TOKEN` of a pull request
        from a fork (https://docs.github.com/en/rest/using-the-rest-api/
        troubleshooting-the-rest-api#resource-not-accessible)."""
        return cls("http", "not accessible 403", 403, "Resource not accessible by integration")

    def response_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.reset_in is not None:
            reset = int(time.time()) + self.reset_in
            headers |= {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
        return headers

    def body(self) -> dict[str, Any]:
        doc = RATE_LIMIT_DOCS if "rate limit" in self.label else REST_DOCS
        return {"message": self.message, "documentation_url": doc, "status": str(self.status)}


@dataclass
class RecordedRequest(LoggedRequest):
    """One request as the fake saw it and answered it.

    `path` is as sent (with any `/api/v3` prefix); `route` is the canonical API path
    (`/repos/{owner}/{name}/...`, also for `/repositories/{id}/...` links). `login` is the
    user its token stood for. `status`, `outcome` and the times: see `LoggedRequest`.
    """

    login: str | None = None
