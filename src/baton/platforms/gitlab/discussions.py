"""Line discussions on a merge request: draft notes published in one bulk call, or plain
discussions where this GitLab has no Draft Notes API.

Each new finding is positioned from the merge request's `diff_refs` (text position; an added
line has `new_line` only; a renamed file names both paths) and created as a draft note
(https://docs.gitlab.com/api/draft_notes/#create-a-draft-note); one bulk publish
(https://docs.gitlab.com/api/draft_notes/#publish-all-pending-draft-notes) then posts them
all, so reviewers get one notification. GitLab keeps a draft's position unchecked and silently
drops, when publishing, a draft it cannot place: baton reads the discussions back, and a
finding that is not there counts as refused.

What can go wrong, and what happens:
* no Draft Notes API (404 or 405 on listing, creating or publishing drafts): the findings are
  posted one by one as discussions (https://docs.gitlab.com/api/discussions/).
* GitLab refuses one finding's note (400, e.g. its position): that finding is `refused` (the
  summary note lists it); the others go on.
* anything else fails, after the client's retries: the batch is abandoned; its drafts are
  deleted (https://docs.gitlab.com/api/draft_notes/#delete-a-draft-note) so that no later bulk
  publish — baton's or the token user's — posts them stale, and its findings are `failed` (the
  summary note lists them, with a warning).
* drafts of baton's left on the merge request by an earlier run that could not delete them are
  deleted first; other drafts of the token's user (a person's pending review, when the token is
  theirs) are left alone, and then baton publishes its drafts one by one
  (https://docs.gitlab.com/api/draft_notes/#publish-a-draft-note) so as not to publish theirs.
* the token may not write (401/403): `WriteRefused`, after the same clean-up.

A draft or discussion whose creation failed after GitLab may have carried it out (its answer
lost or unreadable) is looked for before it is sent again (`resilience.create_once`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gitlab.exceptions import GitlabError
from gitlab.v4.objects import ProjectMergeRequest

from baton.platforms.anchors import Anchor, LineComment
from baton.platforms.gitlab.client import FAILED, ONCE, ask, describe, refused, transient
from baton.platforms.gitlab.notes import WriteRefused
from baton.platforms.marks import inline_fingerprint
from baton.platforms.resilience import create_once

MISSING = (404, 405)
"""How a GitLab without an API answers its routes."""
UNDELETED = (
    "baton's draft notes could not be deleted ({}): a bulk publish of this user's drafts "
    "would post them"
)


@dataclass
class Posting:
    """What became of the line comments."""

    posted: set[str] = field(default_factory=set)
    """Fingerprints of the findings now discussed on their line."""
    refused: list[LineComment] = field(default_factory=list)
    """GitLab would not place these on their line."""
    failed: list[LineComment] = field(default_factory=list)
    """Not posted because the API failed (`reason` says how)."""
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


class _NoDrafts(Exception):
    """This GitLab has no Draft Notes API."""


def position(anchor: Anchor, diff_refs: dict[str, Any]) -> dict[str, Any]:
    return {
        "position_type": "text",
        "base_sha": diff_refs["base_sha"],
        "start_sha": diff_refs["start_sha"],
        "head_sha": diff_refs["head_sha"],
        "old_path": anchor.old_path or anchor.path,
        "new_path": anchor.path,
        "new_line": anchor.start_line or anchor.line,
    }


def post_line_comments(mr: ProjectMergeRequest, comments: Sequence[LineComment]) -> Posting:
    """Post `comments` on their lines; never raises but `WriteRefused`."""
    posting = Posting()
    if not comments:
        return posting
    try:
        try:
            others = _discard_drafts(mr)
            _publish(mr, _draft_all(mr, comments, posting), posting, bulk=not others)
        except _NoDrafts:
            _discuss_all(mr, [c for c in comments if c not in posting.refused], posting)
    except WriteRefused:
        _clean_up(mr, comments, posting)
        raise
    except FAILED as err:
        posting.reason = describe(err)
        posting.warnings.append(f"line discussions not posted: {posting.reason}")
        _clean_up(mr, comments, posting)
    posting.failed = [
        c for c in comments if c.fingerprint not in posting.posted and c not in posting.refused
    ]
    return posting


def _draft_all(
    mr: ProjectMergeRequest, comments: Sequence[LineComment], posting: Posting
) -> list[LineComment]:
    """Create a draft note per comment; the ones created."""
    drafted: list[LineComment] = []
    for comment in comments:
        try:
            _create(mr, comment, draft=True)
        except GitlabError as err:
            _refusing(err)
            if err.response_code in MISSING and not drafted:
                raise _NoDrafts from None
            if err.response_code != 400:
                raise
            posting.refused.append(comment)
            continue
        drafted.append(comment)
    return drafted


def _publish(
    mr: ProjectMergeRequest, drafted: Sequence[LineComment], posting: Posting, *, bulk: bool
) -> None:
    """Publish the drafts (all at once, or baton's one by one), then see which GitLab placed."""
    if not drafted:
        return
    try:
        if bulk:
            mr.draft_notes.bulk_publish()
        else:
            wanted = {c.fingerprint for c in drafted}
            for draft in ask(lambda: mr.draft_notes.list(get_all=True)):
                if inline_fingerprint(draft.note) in wanted:
                    draft.publish()
    except GitlabError as err:
        _refusing(err)
        if err.response_code in MISSING:
            _discard_drafts(mr)
            raise _NoDrafts from None
        raise
    published = _discussed_fingerprints(mr)
    for comment in drafted:
        if comment.fingerprint in published:
            posting.posted.add(comment.fingerprint)
        else:  # dropped by GitLab when publishing: a position it could not place
            posting.refused.append(comment)


def _discuss_all(
    mr: ProjectMergeRequest, comments: Sequence[LineComment], posting: Posting
) -> None:
    """Create a discussion per comment, directly (no drafts)."""
    for comment in comments:
        try:
            _create(mr, comment, draft=False)
        except GitlabError as err:
            _refusing(err)
            if err.response_code != 400:
                raise
            posting.refused.append(comment)
            continue
        posting.posted.add(comment.fingerprint)


def _create(mr: ProjectMergeRequest, comment: LineComment, *, draft: bool) -> None:
    """One draft note, or one discussion, on the comment's line."""
    where = position(comment.anchor, mr.diff_refs)
    if draft:
        payload = {"note": comment.body, "position": where}
        create_once(
            lambda: mr.draft_notes.create(payload, **ONCE),
            lambda: comment.fingerprint in _draft_fingerprints(mr),
            transient,
        )
    else:
        payload = {"body": comment.body, "position": where}
        create_once(
            lambda: mr.discussions.create(payload, **ONCE),
            lambda: comment.fingerprint in _discussed_fingerprints(mr),
            transient,
        )


def _discard_drafts(mr: ProjectMergeRequest) -> int:
    """Delete baton's unpublished drafts; how many other drafts the token's user has."""
    try:
        drafts = ask(lambda: mr.draft_notes.list(get_all=True))
    except GitlabError as err:
        _refusing(err)
        if err.response_code in MISSING:
            raise _NoDrafts from None
        raise
    others = 0
    for draft in drafts:
        if inline_fingerprint(draft.note) is None:
            others += 1
            continue
        try:
            ask(draft.delete)
        except GitlabError as err:
            _refusing(err)
            if err.response_code != 404:  # already gone
                raise
    return others


def _clean_up(mr: ProjectMergeRequest, comments: Sequence[LineComment], posting: Posting) -> None:
    """After a failed batch: no draft of baton's left behind; what did get posted, counted."""
    try:
        _discard_drafts(mr)
    except _NoDrafts:
        pass
    except WriteRefused:
        posting.warnings.append(UNDELETED.format("the token may not delete them"))
    except FAILED as err:
        posting.warnings.append(UNDELETED.format(describe(err)))
    try:
        discussed = _discussed_fingerprints(mr)
    except FAILED:
        return
    posting.posted |= {c.fingerprint for c in comments if c.fingerprint in discussed}


def _refusing(err: GitlabError) -> None:
    if refused(err):
        raise WriteRefused(str(err)) from err


def _draft_fingerprints(mr: ProjectMergeRequest) -> set[str]:
    drafts = ask(lambda: mr.draft_notes.list(get_all=True))
    return {found for draft in drafts if (found := inline_fingerprint(draft.note)) is not None}


def _discussed_fingerprints(mr: ProjectMergeRequest) -> set[str]:
    found = set()
    for discussion in ask(lambda: list(mr.discussions.list(iterator=True))):
        for note in discussion.attributes.get("notes") or []:
            fingerprint = inline_fingerprint(note.get("body"))
            if fingerprint is not None:
                found.add(fingerprint)
    return found
