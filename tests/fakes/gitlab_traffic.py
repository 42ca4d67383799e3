"""Traffic of the fake GitLab: the faults a test plans and the log of every request served.

A `Fault` is one bad answer (rate limit, 5xx, a route this GitLab does not have (404) or does
not allow (405), a refused position, hang, lost answer, connection reset, truncated or
malformed answer), in GitLab's words. Which requests get it, how many times, and when, is
`traffic`'s `FaultRule` (shared with the fake GitHub): a faulted request changes nothing in the
fake's state, like a request GitLab refused before handling it, except a lost, truncated or
malformed answer, whose request is carried out first.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

from tests.fakes.traffic import FaultRule, LoggedRequest, PlannedFault, Scope

__all__ = ["Fault", "FaultRule", "RecordedRequest", "Scope"]

RETRY_LATER = "Retry later\n"  # Rack::Attack's throttle body (`rate_limiting_response_text`)
TOO_MANY = "This endpoint has been requested too many times. Try again later."
UNAVAILABLE_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>GitLab is not responding ({status})</title></head>"
    "<body><h1>{status}</h1><p>Whoops, GitLab is taking too much time to respond.</p>"
    "</body></html>\n"
)


@dataclass(frozen=True)
class Fault(PlannedFault):
    """One bad answer; build it with the class methods, `hang`, `lost_answer` and `reset`
    (from `PlannedFault`) included. python-gitlab has no timeout unless `Gitlab(...,
    timeout=...)` is given."""

    status: int = 0
    content_type: str = "application/json"
    text: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    payload: str = ""
    """A JSON body sent as it is (for the answers the class methods below spell out)."""

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
    def no_route(cls) -> Fault:
        """404 `{"error": "404 Not Found"}`: GitLab's catch-all answer for an API route it does
        not have, e.g. the Draft Notes API on a GitLab older than it
        (https://docs.gitlab.com/api/draft_notes/; status codes:
        https://docs.gitlab.com/api/rest/troubleshooting/#status-codes)."""
        return cls("http", "no such route 404", 404, payload=_text({"error": "404 Not Found"}))

    @classmethod
    def not_allowed(cls) -> Fault:
        """405 `{"message": "405 Method Not Allowed"}`: "the request isn't supported"
        (https://docs.gitlab.com/api/rest/troubleshooting/#status-codes)."""
        body = _text({"message": "405 Method Not Allowed"})
        return cls("http", "not allowed 405", 405, payload=body)

    @classmethod
    def invalid_position(cls) -> Fault:
        """400 `{"message": {"position": ["must be a valid json schema"]}}`: GitLab refusing a
        draft note's `position` when it is created (https://docs.gitlab.com/api/draft_notes/
        #create-a-draft-note; the answer as reported in
        https://gitlab.com/gitlab-org/gitlab/-/issues/571619)."""
        body = _text({"message": {"position": ["must be a valid json schema"]}})
        return cls("http", "invalid position 400", 400, payload=body)

    @classmethod
    def insufficient_scope(cls) -> Fault:
        """403 `{"error": "insufficient_scope", ...}`: GitLab's answer to a write with a token
        that may only read (`read_api`), as the fake answers `READ_API_TOKEN`'s writes
        (https://docs.gitlab.com/api/rest/authentication/ ; status codes:
        https://docs.gitlab.com/api/rest/troubleshooting/#status-codes)."""
        body = {
            "error": "insufficient_scope",
            "error_description": (
                "The request requires higher privileges than provided by the access token."
            ),
            "scope": "api",
        }
        return cls("http", "insufficient scope 403", 403, payload=_text(body))

    def body(self) -> bytes:
        if self.payload:
            return self.payload.encode()
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


def _text(payload: Any) -> str:
    return json.dumps(payload)


@dataclass
class RecordedRequest(LoggedRequest):
    """One request as the fake saw it and answered it.

    `path` is as sent (with any sub-path and `/api/v4`, project paths still URL-encoded);
    `route` is the canonical API path: `/projects/{numeric id}/...` whatever form of project id
    was sent. `params` are the query and body parameters merged (JSON or form, as GitLab's
    Grape merges them). `token_kind` is "personal", "project", "oauth", "job" or None (no
    credentials, or a job token on a route that ignores it); `username` the user it stood for.
    `status`, `outcome` and the times: see `LoggedRequest`.
    """

    prefix: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    username: str | None = None
    token_kind: str | None = None
