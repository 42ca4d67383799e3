"""Posting to a pull request through PyGithub: the sticky summary comment and one review of
inline comments.

Sticky: the comment carrying baton's hidden marker **and** written by this token's own
identity is edited in place; later copies by the same author are deleted; a marker copied
into someone else's comment is ignored. `GET /user` tells the identity for personal and
app tokens; the Actions token may not call it (403), and then baton's earlier comments are
recognised as those of a `Bot` account.

Inline: one review (`event: COMMENT`, `commit_id` = the head SHA) with at most `max_inline`
comments anchored on lines validated against the diff. If GitHub still answers 422 (its
view of the diff differs from the local one), the anchors are checked again against
GitHub's own files of the pull request and the review is sent once more without the
rejected ones; whatever is not posted inline stays listed in the summary — never lost.

Creating (the comment, the review) is done at most once: after a failure that may have
happened after GitHub carried the request out (its answer cut short or unreadable, or lost
in retries), baton looks for what it created before trying again (`resilience.create_once`).
Editing is safe to repeat and is simply sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from github import Github, GithubException
from github.Commit import Commit
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest, ReviewComment

from baton.platforms import outgoing
from baton.platforms.anchors import LineComment
from baton.platforms.github.client import FAILED, UNREACHABLE, UNREADABLE, describe
from baton.platforms.resilience import create_once, read_again
from baton.render.markdown import MARKER


class ReadOnlyToken(Exception):
    """The token may read but not write (fork pull request, or missing permissions)."""


def is_read_only(err: GithubException) -> bool:
    message = str((err.data or {}).get("message", "")) if isinstance(err.data, dict) else ""
    return err.status == 403 and "not accessible" in message.lower()


def writing(err: GithubException) -> Exception:
    """The exception to raise for a failed write: read-only tokens are told apart."""
    return ReadOnlyToken(str(err)) if is_read_only(err) else err


def transient(err: Exception) -> bool:
    """A failure after which the request may have arrived, or may arrive if sent again."""
    if isinstance(err, GithubException):
        return err.status >= 500 or err.status == 429
    return isinstance(err, UNREACHABLE)


def token_login(github: Github) -> str | None:
    """The token's own login; None for tokens that may not ask (the Actions token), or when
    GitHub does not say."""
    try:
        return str(read_again(lambda: github.get_user().login, UNREADABLE))
    except FAILED:
        return None


def own_identity(login: str | None, comment: IssueComment) -> bool:
    user = comment.user  # None for an account GitHub no longer names
    if user is None:
        return False
    if login is not None:
        return bool(user.login == login)
    return bool(user.type == "Bot")


def find_sticky(issue: Issue, login: str | None) -> list[IssueComment]:
    """baton's own summary comments on the pull request, oldest first."""
    found = [
        comment
        for comment in read_again(lambda: list(issue.get_comments()), UNREADABLE)
        if (comment.body or "").startswith(MARKER) and own_identity(login, comment)
    ]
    if login is None and found:
        author = found[-1].user.login
        found = [c for c in found if c.user.login == author]
    return found


def upsert_sticky(
    issue: Issue,
    existing: Sequence[IssueComment],
    body: str,
    login: str | None,
    warnings: list[str],
) -> str:
    """Edit the first of `existing` (or create one), delete the rest; say what happened.

    A duplicate that cannot be deleted is a warning; the summary itself stands.
    """
    try:
        if not existing:
            landed = lambda: bool(find_sticky(issue, login))  # noqa: E731
            create_once(lambda: issue.create_comment(body), landed, transient)
            return "created"
        keeper, *extra = existing
        changed = keeper.body != body
        if changed:
            read_again(lambda: keeper.edit(body), UNREADABLE)
    except GithubException as err:
        raise writing(err) from err
    for duplicate in extra:
        try:
            read_again(duplicate.delete, UNREADABLE)
        except GithubException as err:
            if is_read_only(err):
                raise ReadOnlyToken(str(err)) from err
            warnings.append(f"an older summary comment was not deleted: {describe(err)}")
        except UNREACHABLE as err:
            warnings.append(f"an older summary comment was not deleted: {describe(err)}")
    return "updated" if changed else "unchanged"


def post_review(
    pull: PullRequest,
    commit: Commit,
    comments: Sequence[LineComment],
    recheck: Callable[[Sequence[LineComment]], list[LineComment]],
) -> int:
    """Post one review; returns how many inline comments it carried.

    On a 422, `recheck` keeps the comments whose anchors GitHub's own view of the diff
    accepts, and the review is sent once more with those.
    """
    if not comments:
        return 0
    attempt = list(comments)
    for final in (False, True):
        try:
            _create_review(pull, commit, attempt)
            return len(attempt)
        except GithubException as err:
            if err.status != 422 or final:
                raise writing(err) from err
            attempt = recheck(attempt)
            if not attempt:
                return 0
    return 0


def _create_review(pull: PullRequest, commit: Commit, comments: Sequence[LineComment]) -> None:
    body = outgoing.review_body(len(comments))
    payload = [_payload(c) for c in comments]

    def create() -> object:
        return pull.create_review(commit=commit, body=body, event="COMMENT", comments=payload)

    def landed() -> bool:
        """Whether the review is on the pull request after all (its answer was lost)."""
        reviews = read_again(lambda: list(pull.get_reviews()), UNREADABLE)
        return any(r.commit_id == commit.sha and (r.body or "") == body for r in reviews)

    create_once(create, landed, transient)


def _payload(comment: LineComment) -> ReviewComment:
    payload: ReviewComment = {
        "path": comment.anchor.path,
        "line": comment.anchor.line,
        "side": "RIGHT",
        "body": comment.body,
    }
    if comment.anchor.start_line is not None:
        payload["start_line"] = comment.anchor.start_line
        payload["start_side"] = "RIGHT"
    return payload
