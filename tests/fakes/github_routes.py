"""The endpoints of the fake GitHub: one function per route, and GitHub-style pagination.

Each endpoint takes a `Call` (the routed, authenticated request) and returns an `Answer`
(status, JSON body, extra headers), or raises `ApiError`. `route(method, path)` finds the
endpoint for a canonical path (`/repos/{owner}/{name}/...`). Lists answer one page (`per_page`
default 30, at most 100; `page` from 1) with a `Link` header whose URLs point at
`/repositories/{id}/...`, as github.com's do.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode

from tests.fakes import github_contents as contents
from tests.fakes import github_shapes as shapes
from tests.fakes.github_reviews import add_review
from tests.fakes.github_shapes import Site
from tests.fakes.github_state import NOT_INTEGRATION, ApiError, GitHubState, Pull, Token, User
from tests.fakes.pagination import Page
from tests.fakes.traffic import Answer

FILES_CAP = 3000
RATE_LIMIT = 5000


@dataclass
class Call:
    """One routed request, as the endpoint functions see it."""

    state: GitHubState
    site: Site
    args: dict[str, str]
    query: dict[str, str]
    body: Any
    token: Token | None
    route: str
    used: int = 0  # requests this token made so far

    @property
    def full_name(self) -> str:
        return f"{self.args['owner']}/{self.args['name']}"

    @property
    def id(self) -> int:
        return int(self.args["id"])

    @property
    def viewer(self) -> User | None:
        return None if self.token is None else self.token.user

    def pull(self) -> Pull:
        return self.state.pull(self.full_name, int(self.args["number"]))

    def page(self, items: Sequence[Any], render: Callable[[Any], dict[str, Any]]) -> Answer:
        """One page of `items`, rendered, with its `Link` header."""
        page = Page.asked(self.query, len(items), default_per_page=30)
        repo = self.state.repo(self.full_name)
        rest = self.route.removeprefix(f"/repos/{self.full_name}")
        base = f"{self.site.api}/repositories/{repo.id}{rest}"
        others = [(key, value) for key, value in self.query.items() if key != "page"]

        def url(number: int) -> str:
            return f"{base}?{urlencode([*others, ('page', str(number))])}"

        links = page.link(url, ("prev", "next", "last", "first"), edges_always=False)
        headers = {"link": links} if links else {}
        return 200, [render(item) for item in page.cut(items)], headers


Endpoint = Callable[[Call], Answer]
_ROUTES: list[tuple[str, re.Pattern[str], Endpoint, str]] = []
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
_PULL = _REPO + r"/pulls/(?P<number>\d+)"
_ISSUE = _REPO + r"/issues/(?P<number>\d+)"
_ID = r"/(?P<id>\d+)"


def route(method: str, path: str) -> tuple[Endpoint, dict[str, str], str] | None:
    """The endpoint for `method` on the canonical `path`, its path arguments and docs anchor."""
    for verb, pattern, endpoint, doc in _ROUTES:
        match = pattern.fullmatch(path)
        if match and verb == method:
            return endpoint, match.groupdict(), doc
    return None


def _serves(method: str, path: str, doc: str) -> Callable[[Endpoint], Endpoint]:
    def register(endpoint: Endpoint) -> Endpoint:
        _ROUTES.append((method, re.compile(f"{path}/?"), endpoint, doc))
        return endpoint

    return register


def _ok(body: Any, status: int = 200) -> Answer:
    return status, body, {}


@_serves("GET", _REPO, "repos/repos#get-a-repository")
def _get_repo(c: Call) -> Answer:
    push = None if c.token is None else c.token.write
    return _ok(shapes.repo_json(c.site, c.state.repo(c.full_name), push=push))


@_serves("GET", _REPO + r"/commits/(?P<sha>[^/]+)", "commits/commits#get-a-commit")
def _get_commit(c: Call) -> Answer:
    repo, sha = c.state.repo(c.full_name), c.args["sha"]
    for pull in c.state.all_pulls(c.full_name):
        if sha in pull.revisions or sha == pull.base_sha:
            return _ok(shapes.commit_json(c.site, repo, sha))
    raise ApiError(422, f"No commit found for SHA: {sha}")


@_serves("GET", _REPO + r"/contents(?:/(?P<path>.*))?", "repos/contents#get-repository-content")
def _get_contents(c: Call) -> Answer:
    if c.token is not None and not c.token.contents:
        raise ApiError(403, NOT_INTEGRATION)
    repo, path = c.state.repo(c.full_name), unquote(c.args.get("path") or "")
    return _ok(contents.contents_json(c.site, c.state, repo, path, c.query.get("ref") or "main"))


@_serves("GET", _PULL, "pulls/pulls#get-a-pull-request")
def _get_pull(c: Call) -> Answer:
    return _ok(shapes.pull_json(c.site, c.pull()))


@_serves("GET", _PULL + "/files", "pulls/pulls#list-pull-requests-files")
def _list_files(c: Call) -> Answer:
    pull = c.pull()
    files = pull.files[:FILES_CAP]
    return c.page(files, lambda f: shapes.file_json(c.site, pull.repo, pull.head_sha, f))


@_serves("GET", _ISSUE + "/comments", "issues/comments#list-issue-comments")
def _list_comments(c: Call) -> Answer:
    pull = c.pull()
    return c.page(pull.comments, lambda item: shapes.issue_comment_json(c.site, pull, item))


@_serves("POST", _ISSUE + "/comments", "issues/comments#create-an-issue-comment")
def _create_comment(c: Call) -> Answer:
    assert c.token is not None
    pull = c.pull()
    comment = c.state.add_issue_comment(pull, c.token.user, c.body)
    return _ok(shapes.issue_comment_json(c.site, pull, comment), 201)


@_serves("GET", _REPO + "/issues/comments" + _ID, "issues/comments#get-an-issue-comment")
def _get_comment(c: Call) -> Answer:
    pull, comment = c.state.issue_comment(c.full_name, c.id)
    return _ok(shapes.issue_comment_json(c.site, pull, comment))


@_serves("PATCH", _REPO + "/issues/comments" + _ID, "issues/comments#update-an-issue-comment")
def _edit_comment(c: Call) -> Answer:
    pull, comment = c.state.edit_issue_comment(c.full_name, c.id, c.body)
    return _ok(shapes.issue_comment_json(c.site, pull, comment))


@_serves("DELETE", _REPO + "/issues/comments" + _ID, "issues/comments#delete-an-issue-comment")
def _delete_comment(c: Call) -> Answer:
    c.state.delete_issue_comment(c.full_name, c.id)
    return 204, None, {}


@_serves("GET", _PULL + "/reviews", "pulls/reviews#list-reviews-for-a-pull-request")
def _list_reviews(c: Call) -> Answer:
    pull = c.pull()
    return c.page(pull.reviews, lambda review: shapes.review_json(c.site, pull, review))


@_serves("POST", _PULL + "/reviews", "pulls/reviews#create-a-review-for-a-pull-request")
def _create_review(c: Call) -> Answer:
    assert c.token is not None
    pull = c.pull()
    return _ok(shapes.review_json(c.site, pull, add_review(c.state, pull, c.token, c.body)))


@_serves("GET", _PULL + "/reviews" + _ID, "pulls/reviews#get-a-review-for-a-pull-request")
def _get_review(c: Call) -> Answer:
    pull = c.pull()
    return _ok(shapes.review_json(c.site, pull, c.state.review(pull, c.id)))


@_serves("GET", _PULL + "/reviews" + _ID + "/comments", "pulls/reviews#list-comments-for-a-review")
def _list_comments_of_review(c: Call) -> Answer:
    pull = c.pull()
    review = c.state.review(pull, c.id)
    return c.page(review.comments, lambda item: shapes.review_comment_json(c.site, pull, item))


@_serves("GET", _PULL + "/comments", "pulls/comments#list-review-comments-on-a-pull-request")
def _list_review_comments(c: Call) -> Answer:
    pull = c.pull()
    items = pull.review_comments(c.viewer)
    return c.page(items, lambda item: shapes.review_comment_json(c.site, pull, item))


@_serves(
    "POST",
    _PULL + "/comments" + _ID + "/replies",
    "pulls/comments#create-a-reply-for-a-review-comment",
)
def _create_reply(c: Call) -> Answer:
    assert c.token is not None
    pull = c.pull()
    reply = c.state.add_reply(pull, c.id, c.token.user, c.body)
    return _ok(shapes.review_comment_json(c.site, pull, reply), 201)


@_serves("GET", _REPO + "/pulls/comments" + _ID, "pulls/comments#get-a-review-comment")
def _get_review_comment(c: Call) -> Answer:
    pull, _, comment = c.state.review_comment(c.full_name, c.id, c.viewer)
    return _ok(shapes.review_comment_json(c.site, pull, comment))


@_serves("PATCH", _REPO + "/pulls/comments" + _ID, "pulls/comments#update-a-review-comment")
def _edit_review_comment(c: Call) -> Answer:
    pull, comment = c.state.edit_review_comment(c.full_name, c.id, c.viewer, c.body)
    return _ok(shapes.review_comment_json(c.site, pull, comment))


@_serves("DELETE", _REPO + "/pulls/comments" + _ID, "pulls/comments#delete-a-review-comment")
def _delete_review_comment(c: Call) -> Answer:
    c.state.delete_review_comment(c.full_name, c.id, c.viewer)
    return 204, None, {}


@_serves("GET", "/user", "users/users#get-the-authenticated-user")
def _get_user(c: Call) -> Answer:
    if c.token is None:
        raise ApiError(401, "Requires authentication")
    if c.token.user_endpoint_forbidden:
        raise ApiError(403, NOT_INTEGRATION)
    user = shapes.user_json(c.site, c.token.user)
    return _ok(user | {"name": None, "email": None, "created_at": "2025-01-01T00:00:00Z"})


@_serves("GET", r"/users/(?P<login>[^/]+)", "users/users#get-a-user")
def _get_named_user(c: Call) -> Answer:
    user = c.state.users.get(unquote(c.args["login"]))
    if user is None:
        raise ApiError(404, "Not Found")
    return _ok(shapes.user_json(c.site, user))


@_serves("GET", "/rate_limit", "rate-limit/rate-limit#get-rate-limit-status")
def _rate_limit(c: Call) -> Answer:
    reset = int(time.time()) + 3600
    core = {"limit": RATE_LIMIT, "used": c.used, "remaining": RATE_LIMIT - c.used, "reset": reset}
    return _ok({"resources": {"core": core}, "rate": core})
