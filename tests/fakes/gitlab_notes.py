"""Writing notes on the fake GitLab: plain notes, threads, diff notes, drafts, resolution.

Each operation checks its parameters and the note (`gitlab_checks`) and the user's role before
changing anything: a refusal stores nothing. Creating needs Reporter or more (403 otherwise);
editing or deleting a note, its author or a Maintainer or more (never a system note);
resolving a thread, the merge request's author or a Developer or more.

Drafts keep their position unchecked, as GitLab does; `bulk_publish` turns each into a thread
(a reply when `in_reply_to_discussion_id` was given) and, like GitLab's `DraftNotes::
PublishService`, silently drops a draft whose note would be invalid (bad position, empty or too
long body), answering 204 all the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.gitlab_checks import (
    body_errors,
    boolean,
    checked,
    complete,
    invalid_note,
    line_code,
    position,
    text,
)
from tests.fakes.gitlab_state import (
    ROLES,
    ApiError,
    Discussion,
    DraftNote,
    GitLabState,
    MergeRequest,
    Note,
    User,
    bad_request,
    forbidden,
    not_found,
)


def can_write(state: GitLabState, user: User, mr: MergeRequest) -> None:
    """`create_note`: Reporter or more."""
    if state.level(user, mr.project) < ROLES["reporter"]:
        raise forbidden()


def can_resolve(state: GitLabState, user: User, mr: MergeRequest) -> bool:
    """`Discussion#can_resolve?`: the MR's author or a Developer or more."""
    return user == mr.author or state.level(user, mr.project) >= ROLES["developer"]


# -- notes and threads -------------------------------------------------------------------------


def add_note(state: GitLabState, mr: MergeRequest, user: User, params: Mapping[str, Any]) -> Note:
    """`POST .../notes`: a plain, non-resolvable comment (its own individual discussion)."""
    problems: list[str] = []
    body = text(params, "body", problems, required=True)
    checked(problems)
    can_write(state, user, mr)
    assert body is not None
    if errors := body_errors(body):
        raise invalid_note(errors)
    return _start(state, mr, user, body, None, individual=True)


def add_discussion(
    state: GitLabState, mr: MergeRequest, user: User, params: Mapping[str, Any]
) -> Discussion:
    """`POST .../discussions`: a resolvable thread, on a diff line when `position` is sent."""
    problems: list[str] = []
    body = text(params, "body", problems, required=True)
    pos = position(params, problems, ("text", "image"))
    checked(problems)
    can_write(state, user, mr)
    assert body is not None
    errors = body_errors(body)
    code = None
    if pos is not None:
        code, position_errors = line_code(mr, pos)
        errors |= position_errors
    if errors:
        raise invalid_note(errors)
    note = _start(state, mr, user, body, pos, code=code, commit_id=params.get("commit_id"))
    return mr.discussion(note.discussion_id)


def reply(
    state: GitLabState, mr: MergeRequest, user: User, discussion_id: str, params: Mapping[str, Any]
) -> Note:
    """`POST .../discussions/:id/notes`; replying to a plain note turns it into a thread."""
    problems: list[str] = []
    body = text(params, "body", problems, required=True)
    checked(problems)
    discussion = mr.discussion(discussion_id)
    can_write(state, user, mr)
    assert body is not None
    if errors := body_errors(body):
        raise invalid_note(errors)
    if discussion.individual and discussion.notes[0].system:
        raise bad_request("Discussion can not be replied to.")
    if discussion.individual:
        discussion.individual = False
        discussion.notes[0].type = "DiscussionNote"
    stamp = state.now()
    note = Note(state.new_id("note"), body, user, stamp, stamp, discussion.id, "DiscussionNote")
    discussion.notes.append(note)
    mr.updated_at = stamp
    return note


def edit_note(
    state: GitLabState, mr: MergeRequest, user: User, note_id: int, params: Mapping[str, Any]
) -> Note:
    """`PUT .../notes/:id` (and `.../discussions/:d/notes/:id` with `body`)."""
    problems: list[str] = []
    body = text(params, "body", problems, allow_blank=False)
    checked(problems)
    _, note = mr.note(note_id)
    _may_admin(state, user, mr, note)
    if body is not None:
        if errors := body_errors(body):
            raise invalid_note(errors)
        note.body, note.updated_at = body, state.now()
    return note


def delete_note(state: GitLabState, mr: MergeRequest, user: User, note_id: int) -> None:
    discussion, note = mr.note(note_id)
    _may_admin(state, user, mr, note)
    discussion.notes.remove(note)
    if not discussion.notes:
        mr.discussions.remove(discussion)


def resolve_discussion(
    state: GitLabState, mr: MergeRequest, user: User, discussion_id: str, params: Mapping[str, Any]
) -> Discussion:
    """`PUT .../discussions/:id` with `resolved`: 403 unless the thread is resolvable and the
    user is the MR's author or a Developer or more."""
    problems: list[str] = []
    if params.get("resolved") is None:
        problems.append("resolved is missing")
    resolved = boolean(params, "resolved", problems)
    checked(problems)
    discussion = mr.discussion(discussion_id)
    if not discussion.resolvable or not can_resolve(state, user, mr):
        raise forbidden()
    _set_resolved(state, discussion, user, bool(resolved))
    return discussion


def _set_resolved(state: GitLabState, discussion: Discussion, user: User, resolved: bool) -> None:
    stamp = state.now()
    for note in discussion.notes:
        if note.resolvable:
            note.resolved_by, note.resolved_at = (user, stamp) if resolved else (None, None)


def resolve_note(
    state: GitLabState, mr: MergeRequest, user: User, note_id: int, resolved: bool
) -> Note:
    """`PUT .../discussions/:d/notes/:id` with `resolved`."""
    _, note = mr.note(note_id)
    if note.author != user and not can_resolve(state, user, mr):
        raise forbidden()
    if not note.resolvable:
        raise bad_request("Note is not resolvable")
    note.resolved_by, note.resolved_at = (user, state.now()) if resolved else (None, None)
    return note


def _may_admin(state: GitLabState, user: User, mr: MergeRequest, note: Note) -> None:
    """`admin_note`: the note's author or a Maintainer or more; never a system note."""
    if note.system or (note.author != user and state.level(user, mr.project) < ROLES["maintainer"]):
        raise forbidden()


def _start(
    state: GitLabState,
    mr: MergeRequest,
    user: User,
    body: str,
    pos: dict[str, Any] | None,
    *,
    individual: bool = False,
    code: str | None = None,
    commit_id: Any = None,
) -> Note:
    kind = None if individual else ("DiffNote" if pos is not None else "DiscussionNote")
    stamp = state.now()
    discussion_id = state.new_discussion_id()
    note = Note(state.new_id("note"), body, user, stamp, stamp, discussion_id, kind)
    if pos is not None:
        note.position, note.line_code = pos, code
        note.commit_id = commit_id if isinstance(commit_id, str) else None
    mr.discussions.append(Discussion(discussion_id, [note], individual))
    mr.updated_at = stamp
    return note


# -- drafts ------------------------------------------------------------------------------------


def add_draft(
    state: GitLabState, mr: MergeRequest, user: User, params: Mapping[str, Any]
) -> DraftNote:
    """`POST .../draft_notes`: stored as sent; nothing but the parameters is checked."""
    problems: list[str] = []
    body = text(params, "note", problems, required=True)
    reply_to = text(params, "in_reply_to_discussion_id", problems)
    commit_id = text(params, "commit_id", problems)
    resolve = boolean(params, "resolve_discussion", problems) or False
    pos = position(params, problems, ("text", "image", "file"))
    checked(problems)
    can_write(state, user, mr)
    if reply_to is not None:
        if not any(d.id == reply_to for d in mr.discussions):
            raise ApiError(400, {"message": {"base": ["Thread to reply to cannot be found"]}})
        if resolve and not can_resolve(state, user, mr):
            raise ApiError(400, {"message": {"base": ["User is not allowed to resolve thread"]}})
    assert body is not None
    code = _draft_line_code(mr, pos)
    found = DraftNote(state.new_id("draft"), user, body, pos, code, reply_to, resolve, commit_id)
    mr.drafts.append(found)
    return found


def edit_draft(mr: MergeRequest, user: User, draft_id: int, params: Mapping[str, Any]) -> DraftNote:
    """`PUT .../draft_notes/:id`: `note` is required; the `position` sent (or its absence)
    replaces the draft's, as GitLab's `update!(note:, position:)` does."""
    if not str(params.get("note") or "").strip():
        raise bad_request("Missing params to modify")
    found = draft(mr, user, draft_id)
    problems: list[str] = []
    pos = position(params, problems, ("text", "image", "file"))
    checked(problems)
    found.note, found.position = str(params["note"]), pos
    found.line_code = _draft_line_code(mr, pos)
    return found


def _draft_line_code(mr: MergeRequest, pos: dict[str, Any] | None) -> str | None:
    if pos is None or pos["position_type"] != "text":
        return None
    return line_code(mr, pos)[0]


def draft(mr: MergeRequest, user: User, draft_id: int) -> DraftNote:
    for found in mr.drafts:
        if found.id == draft_id and found.author == user:
            return found
    raise not_found("Draft Note")


def publish(state: GitLabState, mr: MergeRequest, user: User, draft_id: int | None) -> None:
    """Publish one draft (`PUT .../draft_notes/:id/publish`) or all of `user`'s drafts."""
    can_write(state, user, mr)
    if draft_id is not None:
        chosen = [draft(mr, user, draft_id)]
    else:
        chosen = [item for item in mr.drafts if item.author == user]
    for item in chosen:
        mr.drafts.remove(item)
        _publish_one(state, mr, user, item)


def _publish_one(state: GitLabState, mr: MergeRequest, user: User, item: DraftNote) -> None:
    if body_errors(item.note):
        return  # Notes::CreateService returns the invalid note unsaved; nothing is raised
    if item.reply_to is not None:
        if not any(d.id == item.reply_to for d in mr.discussions):
            return
        note = reply(state, mr, user, item.reply_to, {"body": item.note})
        resolved = item.resolve_discussion and can_resolve(state, user, mr)
        _set_resolved(state, mr.discussion(note.discussion_id), user, resolved)
        return
    pos = item.position
    if pos is None or not complete(pos):  # not `on_diff?`: an ordinary thread
        _start(state, mr, user, item.note, None)
        return
    code, errors = line_code(mr, pos)
    if not errors:
        _start(state, mr, user, item.note, pos, code=code, commit_id=item.commit_id)
