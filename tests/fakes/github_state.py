"""What the fake GitHub knows: users, tokens, repositories, pull requests, comments and reviews.

`GitHubState` is the store behind the HTTP layer. Its write operations validate like GitHub
and raise `ApiError` (status, message, `errors`) without changing anything when a request is
refused. Times come from a fake clock that starts at 2026-01-01T00:00:00Z and ticks one second
per stored change. Creating reviews lives in `github_reviews`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.github_diff import PullFile

BODY_LIMIT = 65536
TOO_LONG = f"Body is too long (maximum is {BODY_LIMIT} characters)"
NOT_INTEGRATION = "Resource not accessible by integration"


class ApiError(Exception):
    """A refusal as GitHub sends it: HTTP status, `message` and optional `errors`."""

    def __init__(self, status: int, message: str, errors: Sequence[Any] | None = None) -> None:
        super().__init__(f"{status} {message} {errors or ''}".strip())
        self.status = status
        self.message = message
        self.errors = list(errors) if errors is not None else None


@dataclass(frozen=True)
class User:
    """An account: `type` is "User" for people, "Bot" for apps, "Organization" for owners."""

    login: str
    id: int
    type: str = "User"


@dataclass(frozen=True)
class Token:
    """A credential and what it may do.

    `write=False` is a fork pull request's GITHUB_TOKEN: every write is a 403.
    `user_endpoint_forbidden` makes `GET /user` a 403, as for installation and Actions tokens.
    `can_approve=False` refuses APPROVE reviews, as the default Actions setting does.
    `contents=False` lacks the `contents: read` permission: reading files is a 403.
    `resolve_threads=False` may not resolve review threads (GraphQL answers FORBIDDEN), as
    observed for installation tokens with `pull-requests: write` but only `contents: read`
    (https://github.com/github/gh-aw/issues/35726).
    """

    value: str
    user: User
    write: bool = True
    user_endpoint_forbidden: bool = False
    can_approve: bool = True
    contents: bool = True
    resolve_threads: bool = True


@dataclass
class Repo:
    """A repository; `files` are its files at each ref (branch or SHA): ref -> path -> bytes;
    `associations`: login -> `author_association` for people other than the owner (OWNER)
    whose association is not CONTRIBUTOR (bots: NONE)."""

    id: int
    owner: User
    name: str
    fork: bool = False
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    associations: dict[str, str] = field(default_factory=dict)

    def association(self, user: User) -> str:
        """How `user` is associated with the repository, as GitHub's `author_association`."""
        if user.login in self.associations:
            return self.associations[user.login]
        if user == self.owner:
            return "OWNER"
        return "NONE" if user.type == "Bot" else "CONTRIBUTOR"

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class IssueComment:
    id: int
    body: str
    user: User
    created_at: str
    updated_at: str


@dataclass
class ReviewComment:
    """An inline comment; `line`/`start_line` are on `side`/`start_side` (RIGHT: the new file).
    A reply names the top comment of its thread in `in_reply_to_id`."""

    id: int
    review_id: int
    path: str
    body: str
    user: User
    commit_id: str
    side: str
    line: int
    position: int
    diff_hunk: str
    created_at: str
    updated_at: str
    start_line: int | None = None
    start_side: str | None = None
    in_reply_to_id: int | None = None


@dataclass
class Review:
    """A review; `state` is PENDING, COMMENTED, APPROVED or CHANGES_REQUESTED."""

    id: int
    user: User
    body: str
    state: str
    commit_id: str
    submitted_at: str | None
    comments: list[ReviewComment] = field(default_factory=list)


@dataclass
class Pull:
    """A pull request. `revisions` maps each head SHA it had to its files; `files` is the head's.
    `resolved` maps the top comment of each resolved review thread to who resolved it."""

    repo: Repo
    number: int
    id: int
    title: str
    body: str
    draft: bool
    state: str
    user: User
    head_sha: str
    head_ref: str
    head_repo: Repo | None
    base_sha: str
    base_ref: str
    created_at: str
    updated_at: str
    revisions: dict[str, list[PullFile]] = field(default_factory=dict)
    comments: list[IssueComment] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    resolved: dict[int, User] = field(default_factory=dict)

    @property
    def files(self) -> list[PullFile]:
        return self.revisions[self.head_sha]

    def review_comments(self, viewer: User | None = None) -> list[ReviewComment]:
        """Inline comments of submitted reviews, plus `viewer`'s pending ones, oldest first."""
        found = [
            comment
            for review in self.reviews
            if review.state != "PENDING" or review.user == viewer
            for comment in review.comments
        ]
        return sorted(found, key=lambda comment: comment.id)

    def threads(self, viewer: User | None = None) -> list[list[ReviewComment]]:
        """Review threads `viewer` can see, oldest first: each its top comment, then replies."""
        comments = self.review_comments(viewer)
        return [
            [top, *(c for c in comments if c.in_reply_to_id == top.id)]
            for top in comments
            if top.in_reply_to_id is None
        ]


class GitHubState:
    """The store; not thread-safe by itself (the server serialises calls)."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repo] = {}
        self.pulls: dict[tuple[str, int], Pull] = {}
        self._ids = {kind: itertools.count(base) for kind, base in _ID_BASES.items()}
        self._ticks = itertools.count()

    def now(self) -> str:
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=next(self._ticks))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def new_id(self, kind: str) -> int:
        return next(self._ids[kind])

    def user(self, login: str, type: str = "User") -> User:
        """The account `login`, created with `type` on first mention."""
        if login not in self.users:
            self.users[login] = User(login, self.new_id("user"), type)
        return self.users[login]

    def repo(self, full_name: str) -> Repo:
        found = self.repos.get(full_name.lower())
        if found is None:
            raise ApiError(404, "Not Found")
        return found

    def repo_by_id(self, repo_id: int) -> Repo:
        for repo in self.repos.values():
            if repo.id == repo_id:
                return repo
        raise ApiError(404, "Not Found")

    def pull(self, full_name: str, number: int) -> Pull:
        found = self.pulls.get((self.repo(full_name).full_name.lower(), number))
        if found is None:
            raise ApiError(404, "Not Found")
        return found

    def all_pulls(self, full_name: str) -> Iterator[Pull]:
        repo = self.repo(full_name)
        return (pull for pull in self.pulls.values() if pull.repo is repo)

    # -- issue comments --------------------------------------------------------------------

    def issue_comment(self, full_name: str, comment_id: int) -> tuple[Pull, IssueComment]:
        for pull in self.all_pulls(full_name):
            for comment in pull.comments:
                if comment.id == comment_id:
                    return pull, comment
        raise ApiError(404, "Not Found")

    def add_issue_comment(self, pull: Pull, user: User, payload: Any) -> IssueComment:
        body = _comment_body(payload, "IssueComment")
        stamp = self.now()
        comment = IssueComment(self.new_id("issue_comment"), body, user, stamp, stamp)
        pull.comments.append(comment)
        return comment

    def edit_issue_comment(
        self, full_name: str, comment_id: int, payload: Any
    ) -> tuple[Pull, IssueComment]:
        pull, comment = self.issue_comment(full_name, comment_id)
        comment.body = _comment_body(payload, "IssueComment")
        comment.updated_at = self.now()
        return pull, comment

    def delete_issue_comment(self, full_name: str, comment_id: int) -> None:
        pull, comment = self.issue_comment(full_name, comment_id)
        pull.comments.remove(comment)

    # -- reviews and their comments --------------------------------------------------------

    def review(self, pull: Pull, review_id: int) -> Review:
        for review in pull.reviews:
            if review.id == review_id:
                return review
        raise ApiError(404, "Not Found")

    def review_comment(
        self, full_name: str, comment_id: int, viewer: User | None
    ) -> tuple[Pull, Review, ReviewComment]:
        """An inline comment `viewer` can see (others' PENDING reviews are hidden)."""
        for pull in self.all_pulls(full_name):
            for review in pull.reviews:
                if review.state == "PENDING" and review.user != viewer:
                    continue
                for comment in review.comments:
                    if comment.id == comment_id:
                        return pull, review, comment
        raise ApiError(404, "Not Found")

    def edit_review_comment(
        self, full_name: str, comment_id: int, viewer: User | None, payload: Any
    ) -> tuple[Pull, ReviewComment]:
        pull, _, comment = self.review_comment(full_name, comment_id, viewer)
        comment.body = _comment_body(payload, "PullRequestReviewComment")
        comment.updated_at = self.now()
        return pull, comment

    def delete_review_comment(self, full_name: str, comment_id: int, viewer: User | None) -> None:
        _, review, comment = self.review_comment(full_name, comment_id, viewer)
        review.comments.remove(comment)

    def add_reply(self, pull: Pull, comment_id: int, user: User, payload: Any) -> ReviewComment:
        """A reply to the top comment `comment_id` of a thread: like GitHub, a submitted review
        of its own (COMMENTED, no body) holding one comment on the same line. GitHub: "This
        must be the ID of a top-level review comment, not a reply to that comment"; the 422 for
        a reply to a reply is assumed."""
        found, _, top = self.review_comment(pull.repo.full_name, comment_id, user)
        if found is not pull:
            raise ApiError(404, "Not Found")
        if top.in_reply_to_id is not None:
            raise ApiError(422, "Unprocessable Entity", ["Replies to replies are not supported"])
        body = _comment_body(payload, "PullRequestReviewComment")
        stamp = self.now()
        review = Review(self.new_id("review"), user, "", "COMMENTED", top.commit_id, stamp)
        reply = ReviewComment(
            self.new_id("review_comment"),
            review.id,
            path=top.path,
            body=body,
            user=user,
            commit_id=top.commit_id,
            side=top.side,
            line=top.line,
            position=top.position,
            diff_hunk=top.diff_hunk,
            created_at=stamp,
            updated_at=stamp,
            start_line=top.start_line,
            start_side=top.start_side,
            in_reply_to_id=top.id,
        )
        review.comments.append(reply)
        pull.reviews.append(review)
        return reply


_ID_BASES = {
    "user": 9_000_001,
    "repo": 100_001,
    "pull": 2_000_000_001,
    "issue_comment": 3_000_000_001,
    "review": 4_000_000_001,
    "review_comment": 5_000_000_001,
}


def _comment_body(payload: Any, resource: str) -> str:
    body = payload.get("body") if isinstance(payload, dict) else None
    if not isinstance(body, str):
        raise ApiError(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
    if not body:
        error = {"resource": resource, "code": "missing_field", "field": "body"}
        raise ApiError(422, "Validation Failed", [error])
    if len(body) > BODY_LIMIT:
        error = {
            "resource": resource,
            "code": "unprocessable",
            "field": "data",
            "message": TOO_LONG,
        }
        raise ApiError(422, "Validation Failed", [error])
    return body
