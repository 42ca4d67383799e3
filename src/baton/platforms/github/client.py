"""The PyGithub client baton uses: its timeout, its retries, and GitHub's rate limits.

PyGithub's `GithubRetry` retries 5xx answers, resets and timeouts, a 403 or 429 with
`retry-after` (after that many seconds), and a 403 whose message names a rate limit. On top of
it, as GitHub documents rate limits
(https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
#exceeding-the-rate-limit): a 429 is retried like a 403 (a secondary limit may answer either);
a limit answered with `x-ratelimit-remaining: 0` and no `retry-after` is waited out until
`x-ratelimit-reset`, one without either header for a minute; a wait longer than `MAX_WAIT` is
not waited, the call fails at once. PATCH (editing the summary comment) is retried like GET.
A POST creates something, and GitHub may have carried it out before a 5xx, a reset or a
timeout: the client sends it again only after a rate limit (which GitHub answers without
acting), and leaves the rest to `resilience.create_once`, which looks first. Three retries,
a request timeout from `resilience.api_timeout` (rounded up to whole seconds, which PyGithub
insists on).

The client is lazy: naming a repository, pull request, issue or commit costs no request, only
reading or writing something does. It does not pace requests (PyGithub's default sleeps 0.25 s
before each and 1 s between writes): baton makes a handful per run, and GitHub asks for a pause
between mutative requests only when "making a large number" of them
(https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
#pause-between-mutative-requests).

`UNREADABLE` are the errors of an answer that could not be read — cut short, or not JSON —
which PyGithub raises without retrying (see `resilience.read_again`). PyGithub's own log (it
prints each retried or refused request, e.g. the Actions token's expected 403 on `GET /user`,
to stderr) is kept to warnings: what matters reaches the job log as baton's warnings.
"""

from __future__ import annotations

import json
import logging
import math
import time
from types import TracebackType
from typing import Any

from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait
from requests import RequestException
from requests.exceptions import ChunkedEncodingError, ContentDecodingError
from urllib3 import Retry
from urllib3.connectionpool import ConnectionPool
from urllib3.response import BaseHTTPResponse

SECONDARY_WAIT = 60.0
"""GitHub: without `retry-after` or `x-ratelimit-remaining: 0`, "wait for at least one minute"."""
MAX_WAIT = 120.0
"""The longest rate-limit wait worth a CI job's time; a longer one fails the call at once."""
RETRIES = 3

UNREADABLE: tuple[type[Exception], ...] = (
    ChunkedEncodingError,
    ContentDecodingError,
    json.JSONDecodeError,
)
UNREACHABLE: tuple[type[Exception], ...] = (RequestException, json.JSONDecodeError)
"""A call that got no usable answer: GitHub unreachable (after retries), or its answer
unreadable (`ChunkedEncodingError` and `ContentDecodingError` are `RequestException`s)."""
FAILED: tuple[type[Exception], ...] = (GithubException, *UNREACHABLE)
"""What a failed call raises: GitHub's refusal, or no usable answer."""


CREATES = frozenset({"POST"})
RATE_LIMITED = frozenset({403, 429})


class RateLimitRetry(GithubRetry):
    """`GithubRetry`, waiting on 429s and on `x-ratelimit-reset` as GitHub documents it, and
    never sending a create again after an answer that does not prove it was not carried out."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() in CREATES and status_code not in RATE_LIMITED:
            return False
        return super().is_retry(method, status_code, has_retry_after)

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Retry:
        if error is not None and (method or "").upper() in CREATES and self._is_read_error(error):
            raise error  # sent: GitHub may have carried it out
        wait = None if response is None else self._documented_wait(response)
        if wait is None or response is None:
            return super().increment(method, url, response, error, _pool, _stacktrace)  # type: ignore[arg-type]
        if wait > (self.max_rate_limit_wait or MAX_WAIT):
            headers = dict(response.headers.items())
            data = _json(self.get_content(response, url or ""))  # type: ignore[arg-type]
            raise RateLimitExceededExceedsMaxWait(response.status, data, headers, wait=wait)
        retry = Retry.increment(self, method, url, response, error, _pool, _stacktrace)
        retry.get_backoff_time = lambda: wait  # type: ignore[method-assign]
        return retry

    def _documented_wait(self, response: BaseHTTPResponse) -> float | None:
        """Seconds to wait before retrying a rate-limited answer that has no `retry-after`
        (urllib3 already sleeps that); None to leave the answer to `GithubRetry`."""
        headers = response.headers
        if response.status not in (403, 429) or "retry-after" in headers:
            return None
        reset = headers.get("x-ratelimit-reset", "")
        if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
            return max(int(reset) - time.time(), 0.0) + 1.0  # the reset's second is unknown
        return SECONDARY_WAIT if response.status == 429 else None


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def github_client(api_url: str, token: str, timeout: float) -> Github:
    logging.getLogger("github").setLevel(logging.WARNING)
    retry = RateLimitRetry(
        total=RETRIES,
        backoff_factor=0.5,
        secondary_rate_wait=SECONDARY_WAIT,
        max_rate_limit_wait=MAX_WAIT,
        status_forcelist=[*range(500, 600), 429],
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
    )
    return Github(
        base_url=api_url,
        auth=Auth.Token(token),
        retry=retry,
        timeout=math.ceil(timeout),  # PyGithub takes whole seconds
        lazy=True,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def describe(err: Exception) -> str:
    """One short line on a failed call: GitHub's message, or why the answer never came."""
    if isinstance(err, GithubException):
        data: Any = err.data if isinstance(err.data, dict) else {}
        message = " ".join(str(data.get("message") or err).split())
        if isinstance(err, RateLimitExceededExceedsMaxWait) and err.wait is not None:
            message = f"{message[:120]} (resets in {err.wait:.0f} s; baton waits {MAX_WAIT:.0f} s)"
        return f"GitHub API error {err.status}: {message}"[:200]
    if isinstance(err, RequestException):
        cause: Any = err.args[0] if err.args else err
        cause = getattr(cause, "reason", None) or cause  # urllib3's MaxRetryError: why it gave up
        detail = " ".join(str(cause).split())
        return f"GitHub API unreachable: {type(err).__name__}: {detail}"[:200]
    return f"GitHub API answer unreadable: {type(err).__name__}: {err}"[:200]
