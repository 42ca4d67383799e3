"""What baton's earlier runs left on a pull request, read back before a review (`recall`): the
body of its summary comment and the replies in the threads of its inline comments.

The summary is found exactly as publishing finds it (`comments.find_sticky`: the marker **and**
baton's identity). Review comments come from
`GET /repos/{owner}/{repo}/pulls/{number}/comments`
(https://docs.github.com/en/rest/pulls/comments#list-review-comments-on-a-pull-request),
read as GitHub sent them: a reply names the top comment of its thread in `in_reply_to_id`
(a top comment has none; a reply whose top comment was deleted is kept with no fingerprint, so
that a dismissal in it can be reported as such). A thread is baton's when its top comment
carries an inline marker and was written by baton's identity — the token's login, or for the
Actions token (which may not ask `GET /user`) the author of baton's summary, else any `Bot`: a
marker copied into someone else's comment is never used. Its author may write to the
repository when GitHub's `author_association` says OWNER, MEMBER or COLLABORATOR;
CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, FIRST_TIMER, MANNEQUIN and NONE may not.

Nothing here raises for GitHub's failures (after the client's retries): each becomes one
warning in the `Recall`, and what could be read is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from github import Github
from github.GithubObject import NonCompletableGithubObject
from github.PaginatedList import PaginatedList
from github.PullRequest import PullRequest

from baton.platforms.base import Recall, Reply
from baton.platforms.github.client import FAILED, UNREADABLE, describe
from baton.platforms.github.comments import find_sticky, token_login
from baton.platforms.marks import inline_fingerprint
from baton.platforms.resilience import read_again

WRITERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
"""`author_association` values of people who may write to the repository."""
PER_PAGE = 100


class _Listed(NonCompletableGithubObject):
    """One listed object's JSON as GitHub sent it: PyGithub's own classes would fetch every top
    comment again to learn that it has no `in_reply_to_id`."""

    def _initAttributes(self) -> None:
        pass

    def _useAttributes(self, attributes: dict[str, Any]) -> None:
        pass


class _Unexpected(Exception):
    """GitHub answered, but not in the shape its documentation gives."""


UNUSABLE: tuple[type[Exception], ...] = (*FAILED, _Unexpected)


def recall(github: Github, repository: str, number: int) -> Recall:
    """baton's summary and the replies to its inline comments on pull request `number`."""
    found = Recall()
    repo = github.get_repo(repository)  # lazy: naming it costs no request
    login = token_login(github)
    try:
        sticky = find_sticky(repo.get_issue(number), login)
    except FAILED as err:
        sticky = []
        found.warnings.append(f"baton's summary comment could not be read: {describe(err)}")
    if sticky:
        found.summary = sticky[0].body
    author = login if login is not None else (sticky[0].user.login if sticky else None)
    try:
        found.replies = replies(github, repo.get_pull(number), author)
    except UNUSABLE as err:
        cause = describe(err) if isinstance(err, FAILED) else str(err)
        found.warnings.append(f"replies to baton's inline comments could not be read: {cause}")
    return found


def replies(github: Github, pull: PullRequest, author: str | None) -> list[Reply]:
    """Replies in the threads of baton's inline comments, oldest first. `author`: baton's
    login; None when unknown (then baton's comments are those of a `Bot`)."""
    listed = read_again(lambda: _review_comments(github, pull), UNREADABLE)
    by_id = {item["id"]: item for item in listed}
    found: list[tuple[int, Reply]] = []
    for item in listed:
        parent = item.get("in_reply_to_id")
        top = by_id.get(parent)
        if parent is not None and top is None:  # the comment it answers was deleted
            fingerprint = ""
        elif top is None or not _is_batons(top, author) or _is_batons(item, author):
            continue
        else:
            fingerprint = inline_fingerprint(top.get("body")) or ""
        reply = Reply(
            fingerprint=fingerprint,
            author=_login_of(item),
            can_write=item.get("author_association") in WRITERS,
            body=str(item.get("body") or ""),
            url=item.get("html_url") if isinstance(item.get("html_url"), str) else None,
        )
        found.append((item["id"], reply))
    return [reply for _, reply in sorted(found, key=lambda pair: pair[0])]


def _review_comments(github: Github, pull: PullRequest) -> list[dict[str, Any]]:
    """Every review comment of the pull request, page by page, as GitHub sent it."""
    pages = PaginatedList(_Listed, github.requester, f"{pull.url}/comments", {"per_page": PER_PAGE})
    items = [item.raw_data for item in pages]
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), int):
            raise _Unexpected("GitHub listed a review comment without an id")
    return items


def _is_batons(item: Mapping[str, Any], author: str | None) -> bool:
    """Whether `item` is one of baton's inline comments: its marker, and baton's identity."""
    if inline_fingerprint(item.get("body")) is None:
        return False
    user = item.get("user")
    if not isinstance(user, Mapping):
        return False
    if author is not None:
        return bool(user.get("login") == author)
    return bool(user.get("type") == "Bot")


def _login_of(item: Mapping[str, Any]) -> str:
    user = item.get("user")
    login = user.get("login") if isinstance(user, Mapping) else None
    return str(login) if login else "ghost"  # GitHub's name for a deleted account
