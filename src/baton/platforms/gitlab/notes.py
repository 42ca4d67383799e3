"""The sticky note on a merge request, and resolving baton's discussions of fixed findings.

Sticky: the note carrying baton's hidden marker **and** written by the token's own user
(`GET /user`) is edited in place; later copies by that user are deleted; a marker copied
into someone else's note is ignored. Creating it is done at most once: after a failure GitLab
may have carried out (its answer lost or unreadable), baton looks for the note before sending
it again (`resilience.create_once`); an edit is safe to repeat and is simply sent again.

After a push, baton's own unresolved discussions about findings that are gone are resolved.
Line discussions themselves are `discussions`' business.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from gitlab.exceptions import GitlabError
from gitlab.v4.objects import ProjectMergeRequest, ProjectMergeRequestNote

from baton.platforms.gitlab.client import FAILED, ONCE, ask, describe, refused, transient
from baton.platforms.marks import inline_fingerprint
from baton.platforms.resilience import create_once
from baton.render.markdown import MARKER


class WriteRefused(Exception):
    """The token may not write to this merge request (401/403)."""


def find_sticky(mr: ProjectMergeRequest, user_id: int) -> list[ProjectMergeRequestNote]:
    listed = ask(lambda: list(mr.notes.list(iterator=True, sort="asc", order_by="created_at")))
    notes = [
        note
        for note in listed
        if not note.system
        and (note.body or "").startswith(MARKER)
        and (note.author or {}).get("id") == user_id
    ]
    return sorted(notes, key=lambda n: n.id)


def upsert_sticky(
    mr: ProjectMergeRequest,
    existing: Sequence[ProjectMergeRequestNote],
    body: str,
    user_id: int | None,
    warnings: list[str],
) -> str:
    """Edit the first of `existing` (or create one), delete the rest; say what happened.

    `user_id` None: the token's user is unknown (a new note is created). A duplicate that
    cannot be deleted is a warning; the summary itself stands.
    """
    try:
        if not existing:
            create_once(
                lambda: mr.notes.create({"body": body}, **ONCE),
                lambda: _has_note(mr, body, user_id),
                transient,
            )
            return "created"
        keeper, *extra = existing
        changed = keeper.body != body
        if changed:
            keeper.body = body
            ask(keeper.save)
    except GitlabError as err:
        if refused(err):
            raise WriteRefused(str(err)) from err
        raise
    for duplicate in extra:
        try:
            ask(duplicate.delete)
        except FAILED as err:
            if refused(err):
                raise WriteRefused(str(err)) from err
            warnings.append(f"an older summary note was not deleted: {describe(err)}")
    return "updated" if changed else "unchanged"


def _has_note(mr: ProjectMergeRequest, body: str, user_id: int | None) -> bool:
    """Whether the note `body` is on the merge request (its answer was lost)."""
    listed = ask(lambda: list(mr.notes.list(iterator=True)))
    return any(
        note.body == body and (user_id is None or (note.author or {}).get("id") == user_id)
        for note in listed
    )


def resolve_fixed(mr: ProjectMergeRequest, user_id: int, current: frozenset[str]) -> int:
    """Resolve baton's own open discussions whose finding is no longer reported."""
    resolved = 0
    for discussion in ask(lambda: list(mr.discussions.list(iterator=True))):
        notes = discussion.attributes.get("notes") or []
        if not notes:
            continue
        first = notes[0]
        if first.get("author", {}).get("id") != user_id or not first.get("resolvable"):
            continue
        if first.get("resolved"):
            continue
        fingerprint = inline_fingerprint(first.get("body"))
        if fingerprint is None or fingerprint in current:
            continue
        try:
            resolve = partial(mr.discussions.update, discussion.id, {"resolved": True})
            ask(resolve)
        except GitlabError as err:
            if refused(err):
                raise WriteRefused(str(err)) from err
            raise
        resolved += 1
    return resolved
