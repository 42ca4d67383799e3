"""Posting to a merge request through python-gitlab: the sticky note and line discussions.

Sticky: the note carrying baton's hidden marker **and** written by the token's own user
(`GET /user`) is edited in place; later copies by that user are deleted; a marker copied
into someone else's note is ignored.

Discussions: one per new finding, positioned from the merge request's `diff_refs` (text
position; an added line has `new_line` only; a renamed file names both paths). They are
created as draft notes and published in one bulk call, so reviewers get one notification,
or created directly where draft notes are not available. A position GitLab refuses (400,
`line_code`) — or a draft it silently drops when publishing, which baton checks for —
moves that finding into the sticky note instead of failing the run. After a
push, baton's own unresolved discussions about findings that are gone are resolved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from gitlab.exceptions import GitlabError, GitlabHttpError
from gitlab.v4.objects import ProjectMergeRequest, ProjectMergeRequestNote

from baton.platforms.anchors import Anchor, LineComment
from baton.render.markdown import MARKER

_INLINE = re.compile(r"<!-- baton:inline ([0-9a-f-]+) -->")


class WriteRefused(Exception):
    """The token may not write to this merge request (401/403)."""


def refused(err: GitlabError) -> bool:
    return err.response_code in (401, 403)


def find_sticky(mr: ProjectMergeRequest, user_id: int) -> list[ProjectMergeRequestNote]:
    notes = [
        note
        for note in mr.notes.list(iterator=True, sort="asc", order_by="created_at")
        if not note.system
        and (note.body or "").startswith(MARKER)
        and note.author.get("id") == user_id
    ]
    return sorted(notes, key=lambda n: n.id)


def upsert_sticky(
    mr: ProjectMergeRequest, existing: Sequence[ProjectMergeRequestNote], body: str
) -> str:
    try:
        if not existing:
            mr.notes.create({"body": body})
            return "created"
        keeper, *extra = existing
        changed = keeper.body != body
        if changed:
            keeper.body = body
            keeper.save()
        for duplicate in extra:
            duplicate.delete()
    except GitlabError as err:
        if refused(err):
            raise WriteRefused(str(err)) from err
        raise
    return "updated" if changed else "unchanged"


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


def post_discussions(
    mr: ProjectMergeRequest, comments: Sequence[LineComment]
) -> tuple[int, list[LineComment]]:
    """Post `comments`; returns how many were posted and the ones GitLab refused."""
    if not comments:
        return 0, []
    diff_refs = mr.diff_refs
    rejected: list[LineComment] = []
    drafts = True
    posted = 0
    for comment in comments:
        where = position(comment.anchor, diff_refs)
        try:
            if drafts:
                mr.draft_notes.create({"note": comment.body, "position": where})
            else:
                mr.discussions.create({"body": comment.body, "position": where})
            posted += 1
        except GitlabHttpError as err:
            if refused(err):
                raise WriteRefused(str(err)) from err
            if err.response_code == 404 and drafts and posted == 0:
                drafts = False  # no draft notes on this GitLab: post discussions directly
                try:
                    mr.discussions.create({"body": comment.body, "position": where})
                    posted += 1
                    continue
                except GitlabHttpError as retry_err:
                    err = retry_err
            if err.response_code != 400:
                raise
            rejected.append(comment)
    if drafts and posted:
        mr.draft_notes.bulk_publish()
        # GitLab stores any draft position and silently drops invalid ones when publishing:
        # look for what was really published.
        published = _published_fingerprints(mr)
        dropped = [c for c in comments if c not in rejected and c.fingerprint not in published]
        rejected.extend(dropped)
        posted -= len(dropped)
    return posted, rejected


def _published_fingerprints(mr: ProjectMergeRequest) -> set[str]:
    found = set()
    for discussion in mr.discussions.list(iterator=True):
        for note in discussion.attributes.get("notes") or []:
            match = _INLINE.search(note.get("body") or "")
            if match is not None:
                found.add(match.group(1))
    return found


def resolve_fixed(mr: ProjectMergeRequest, user_id: int, current: frozenset[str]) -> int:
    """Resolve baton's own open discussions whose finding is no longer reported."""
    resolved = 0
    for discussion in mr.discussions.list(iterator=True):
        notes = discussion.attributes.get("notes") or []
        if not notes:
            continue
        first = notes[0]
        if first.get("author", {}).get("id") != user_id or not first.get("resolvable"):
            continue
        if first.get("resolved"):
            continue
        match = _INLINE.search(first.get("body") or "")
        if match is None or match.group(1) in current:
            continue
        mr.discussions.update(discussion.id, {"resolved": True})
        resolved += 1
    return resolved
