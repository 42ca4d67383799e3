"""Resolving the review threads of fixed findings on a pull request, through GitHub's GraphQL API
(the REST API cannot resolve a thread).

The pull request's threads are read 100 at a time
(https://docs.github.com/en/graphql/reference/objects#pullrequestreviewthread); an open thread
whose first comment is baton's — written by baton's identity, carrying the inline marker of a
fixed finding — is resolved with `resolveReviewThread`
(https://docs.github.com/en/graphql/reference/mutations#resolvereviewthread). Threads of
findings still reported, resolved threads and everyone else's are left alone.

GraphQL names an app by its slug (`github-actions`) where the REST API says
`github-actions[bot]`: baton's identity is compared without that suffix.

A token that may not resolve threads — GitHub answers 200 with an error of type FORBIDDEN
("Resource not accessible by integration"), or 401/403 — leaves one warning; so does any other
failure, after `graphql`'s retries. Nothing raises: resolving never changes the review.
"""

from __future__ import annotations

from typing import Any

from baton.platforms.github.graphql import GraphQL, GraphQLError
from baton.platforms.marks import inline_fingerprint

THREADS = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        nodes { id isResolved comments(first: 1) { nodes { body author { login } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""
RESOLVE = """
mutation($thread: ID!) {
  resolveReviewThread(input: {threadId: $thread}) { thread { id isResolved } }
}
"""
NOT_RESOLVED = "review threads of fixed findings were not resolved"
MAX_PAGES = 100
"""10,000 threads: more than any pull request has; a cursor going round ends here."""


def resolve_fixed(
    client: GraphQL, repository: str, number: int, author: str, fixed: frozenset[str]
) -> tuple[int, str | None]:
    """Resolve baton's open threads of the `fixed` findings; how many, and a warning or None.
    `author` is baton's login as the REST API gives it."""
    try:
        threads = _batons_open_threads(client, repository, number, author, fixed)
        for thread in threads:
            client.run(RESOLVE, {"thread": thread})
    except GraphQLError as err:
        if err.refused:
            return 0, f"{NOT_RESOLVED}: the token may not resolve them ({err})"
        return 0, f"{NOT_RESOLVED}: {err}"
    return len(threads), None


def _batons_open_threads(
    client: GraphQL, repository: str, number: int, author: str, fixed: frozenset[str]
) -> list[str]:
    """Ids of the open threads whose first comment is baton's about a fixed finding."""
    owner, _, name = repository.partition("/")
    me = author.removesuffix("[bot]")
    found: list[str] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        variables = {"owner": owner, "name": name, "number": number, "after": after}
        page = _threads_page(client.run(THREADS, variables))
        for node in _list(page.get("nodes")):
            first = _list(_dict(node.get("comments")).get("nodes"))
            if node.get("isResolved") is not False or not first:
                continue
            login = _dict(first[0].get("author")).get("login")
            if not isinstance(login, str) or login.removesuffix("[bot]") != me:
                continue
            thread = node.get("id")
            if inline_fingerprint(first[0].get("body")) in fixed and isinstance(thread, str):
                found.append(thread)
        info = _dict(page.get("pageInfo"))
        after = info.get("endCursor") if isinstance(info.get("endCursor"), str) else None
        if info.get("hasNextPage") is not True or after is None:
            break
    return found


def _threads_page(data: dict[str, Any]) -> dict[str, Any]:
    pull = _dict(_dict(data.get("repository")).get("pullRequest"))
    page = pull.get("reviewThreads")
    if not isinstance(page, dict):
        raise GraphQLError("GitHub GraphQL API answer unreadable: no reviewThreads")
    return page


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
