"""GitHub's GraphQL API, for what its REST API cannot do (resolving review threads): one POST per
operation with the job's token, within its timeout, with retries and rate-limit waits.

The endpoint is `https://api.github.com/graphql`; GitHub Enterprise Server serves it at
`https://HOST/api/graphql` beside the REST API at `https://HOST/api/v3`
(https://docs.github.com/en/graphql/guides/forming-calls-with-graphql#the-graphql-endpoint,
https://docs.github.com/en/enterprise-server@latest/graphql/guides/forming-calls-with-graphql).
GitHub answers a query it could run with 200, also when a field failed: `{"data": ...,
"errors": [{"type": "FORBIDDEN", "message": "Resource not accessible by integration", "path":
[...]}]}`; a missing or bad token is a 401, a secondary rate limit a 403 or 429
(https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api).

Sent again, `RETRIES` times at most: after a 5xx, a reset or timeout, an answer cut short or not
JSON, and after a rate limit, once it has been waited out as the REST client waits it
(`retry-after`; `x-ratelimit-remaining: 0` until `x-ratelimit-reset`; otherwise a minute) —
unless that wait is longer than `MAX_WAIT`. Sending again is safe for the two operations baton
sends: reading threads, and resolving one (resolving a resolved thread changes nothing).
Whatever still fails is a `GraphQLError`; `refused` tells a token that may not do it (401, 403,
or an error of type FORBIDDEN) from the rest.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Self

import httpx

from baton.platforms.github.client import MAX_WAIT, RETRIES, SECONDARY_WAIT

PAUSES = (0.25, 0.5, 1.0)
"""Seconds before the second, third and fourth attempt after a failure that is not a limit."""


class GraphQLError(Exception):
    """A GraphQL call that failed; `refused`: the token may not do it."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(" ".join(message.split())[:200])
        self.refused = refused


def graphql_url(api_url: str) -> str:
    """The GraphQL endpoint beside the REST API root `api_url`."""
    root = api_url.rstrip("/")
    if root.endswith("/api/v3"):
        return root.removesuffix("/v3") + "/graphql"
    return root + "/graphql"


class GraphQL:
    """Operations against one GitHub's GraphQL endpoint with one token."""

    def __init__(self, url: str, token: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.session = httpx.Client(
            headers={
                "Authorization": f"bearer {token}",
                "Accept": "application/json",
                "User-Agent": "baton",
            },
            timeout=timeout,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def run(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """The `data` of the operation's answer; a `GraphQLError` if it has errors or none
        came."""
        payload: dict[str, Any] = {"query": query, "variables": dict(variables)}
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                response = self.session.post(self.url, json=payload)
                response.read()
            except httpx.TransportError as err:  # reset, timeout, answer cut short
                if last:
                    raise GraphQLError(f"GitHub GraphQL API unreachable: {_cause(err)}") from None
                time.sleep(PAUSES[attempt])
                continue
            wait = _limit_wait(response)
            if wait is not None and wait > MAX_WAIT:
                limit = f"resets in {wait:.0f} s; baton waits {MAX_WAIT:.0f} s"
                raise GraphQLError(f"GitHub GraphQL API error {_message(response)} ({limit})")
            if not last and (wait is not None or response.status_code >= 500):
                time.sleep(PAUSES[attempt] if wait is None else wait)
                continue
            if response.status_code != 200:
                refused = wait is None and response.status_code in (401, 403)
                message = f"GitHub GraphQL API error {_message(response)}"
                raise GraphQLError(message, refused=refused)
            try:
                body = response.json()
            except ValueError:
                if last:
                    raise GraphQLError("GitHub GraphQL API answer unreadable: not JSON") from None
                time.sleep(PAUSES[attempt])
                continue
            return _data(body)
        raise AssertionError("unreachable")  # pragma: no cover


def _data(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise GraphQLError("GitHub GraphQL API answer unreadable: not an object")
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        message = str(first.get("message") or "error")
        refused = any(
            isinstance(e, dict)
            and (e.get("type") == "FORBIDDEN" or "not accessible" in str(e.get("message")).lower())
            for e in errors
        )
        kind = f" ({first['type']})" if isinstance(first.get("type"), str) else ""
        raise GraphQLError(f"GitHub GraphQL API error{kind}: {message}", refused=refused)
    data = body.get("data")
    if not isinstance(data, dict):
        raise GraphQLError("GitHub GraphQL API answer unreadable: no data")
    return data


def _limit_wait(response: httpx.Response) -> float | None:
    """Seconds to wait before sending a rate-limited request again; None if not limited."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    retry_after = headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    reset = headers.get("x-ratelimit-reset", "").strip()
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(int(reset) - time.time(), 0.0) + 1.0  # the reset's second is unknown
    if response.status_code == 429 or "rate limit" in _message(response).lower():
        return SECONDARY_WAIT
    return None


def _message(response: httpx.Response) -> str:
    """The status and GitHub's message, in one line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = body.get("message") if isinstance(body, dict) else None
    return f"{response.status_code}: {message or response.reason_phrase or 'error'}"


def _cause(err: httpx.TransportError) -> str:
    return f"{type(err).__name__}: {' '.join(str(err).split()) or 'no detail'}"
