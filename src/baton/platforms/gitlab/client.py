"""The python-gitlab client baton uses, and how it tells GitLab's failures apart.

The client times out after `resilience.api_timeout` seconds and retries (python-gitlab's
`retry_transient_errors`) 5xx answers, resets, timeouts and answers cut short, and obeys 429s
(`Retry-After`), three times (`RETRIES`; python-gitlab's 10, 0.1 s to 51.2 s apart, would
keep a job waiting for minutes per call while GitLab is down). Creating something is the
exception: those calls pass
`retry_transient_errors=False` (`ONCE`), because a request GitLab carried out whose answer was
lost would be created twice; baton retries them itself, after looking whether the first one
arrived (`resilience.create_once`, with `transient`).

python-gitlab raises `GitlabError`s — `GitlabHttpError` only from its low-level calls; the
managers' `get`, `list`, `create`, `update`, `delete` raise `GitlabGetError`,
`GitlabCreateError`... which are `GitlabOperationError`s, not `GitlabHttpError`s — all with
the `response_code`; an answer that is not JSON is a `GitlabParsingError` (no code). `FAILED`
is what a failed call raises; `UNREADABLE` what python-gitlab never retries although sending
the request again may help. `ask(read)` sends a read again (`resilience.read_again`) when its
answer is unreadable — also a 4xx whose body is not GitLab's JSON error (cut short or garbled
on the way), whose message baton could not tell apart ("404 File Not Found" or another 404).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabError, GitlabParsingError
from requests import RequestException
from requests.exceptions import ChunkedEncodingError, ContentDecodingError

from baton.platforms.resilience import read_again

T = TypeVar("T")
RETRIES = 3

FAILED: tuple[type[Exception], ...] = (GitlabError, RequestException)
UNREADABLE: tuple[type[Exception], ...] = (
    GitlabParsingError,
    ChunkedEncodingError,
    ContentDecodingError,
)
ONCE: dict[str, Any] = {"retry_transient_errors": False}
"""Keyword arguments of a create call: no blind retry (see the module docstring)."""


class Client(gitlab.Gitlab):
    """`gitlab.Gitlab` retrying `RETRIES` times unless a call says otherwise."""

    def http_request(self, verb: str, path: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("max_retries", RETRIES)
        return super().http_request(verb, path, *args, **kwargs)


def gitlab_client(
    url: str, *, timeout: float, private_token: str = "", job_token: str = ""
) -> gitlab.Gitlab:
    if private_token:
        return Client(
            url, private_token=private_token, timeout=timeout, retry_transient_errors=True
        )
    return Client(url, job_token=job_token, timeout=timeout, retry_transient_errors=True)


def ask(read: Callable[[], T]) -> T:
    """`read()`, sent again (twice at most) while its answer cannot be read."""
    return read_again(lambda: _json_errors(read), UNREADABLE)


def _json_errors(read: Callable[[], T]) -> T:
    try:
        return read()
    except GitlabError as err:
        code = err.response_code
        if code is not None and 400 <= code < 500 and not _is_json(err.response_body):
            raise GitlabParsingError("answer not readable", code, err.response_body) from err
        raise


def _is_json(body: bytes | None) -> bool:
    try:
        json.loads(body or b"")
    except ValueError:
        return False
    return True


def refused(err: Exception) -> bool:
    """The token may not do this (401/403)."""
    return isinstance(err, GitlabError) and err.response_code in (401, 403)


def transient(err: Exception) -> bool:
    """A failure after which the request may have arrived, or may arrive if sent again."""
    if isinstance(err, GitlabError):
        code = err.response_code
        return code is None or code >= 500 or code == 429
    return isinstance(err, RequestException)


def cause(err: GitlabError) -> str:
    """The status and GitLab's message in one short line ("404 File Not Found")."""
    text = " ".join(str(err.error_message).split())
    code = err.response_code
    if text.startswith("<"):  # an HTML error page from the proxy in front of GitLab
        text = ""
    if code is None or text.startswith(str(code)):
        return text[:200]
    phrase = text or _phrase(code)
    return f"{code} {phrase}"[:200]


def describe(err: Exception) -> str:
    """One short line on a failed call: GitLab's answer, or why none came."""
    if isinstance(err, GitlabParsingError):
        return "GitLab API answer unreadable: not JSON"
    if isinstance(err, GitlabError):
        return f"GitLab API error {cause(err)}"
    detail = " ".join(str(err).split())
    return f"GitLab API unreachable: {type(err).__name__}: {detail}"[:200]


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "error"
