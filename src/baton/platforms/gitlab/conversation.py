"""What baton's earlier runs left on a merge request, read back before a review (`recall`): the
body of its summary note and the replies in its line discussions.

The token's user comes from `GET /user`; the summary note is found exactly as publishing finds it
(`notes.find_sticky`: the marker **and** that user). The discussions come from
`GET /projects/:id/merge_requests/:iid/discussions`
(https://docs.gitlab.com/api/discussions/#list-project-merge-request-discussion-items): one is
baton's when its first note carries an inline marker and was written by the token's user — a
marker copied into someone else's note is never used — and its later notes (not system notes,
not baton's own) are the replies. Whether a reply's author may write to the project: an access
level of Developer (30) or higher, from `GET /projects/:id/members/all/:user_id`
(https://docs.gitlab.com/api/members/#get-a-member-of-a-group-or-project-including-inherited-and-invited-members),
asked once per author; a 404 there means not a member.

Nothing here raises for GitLab's failures (after the client's retries): each becomes a warning
in the `Recall`, and what could be read is kept (an author whose membership could not be read
counts as one who may not write).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gitlab
from gitlab.exceptions import GitlabError
from gitlab.v4.objects import Project, ProjectMergeRequest

from baton.platforms.base import Recall, Reply
from baton.platforms.gitlab.client import FAILED, ask, describe
from baton.platforms.gitlab.notes import find_sticky
from baton.platforms.marks import inline_fingerprint

DEVELOPER = 30
"""GitLab's access level of a Developer, the lowest that may push to the project."""


class Members:
    """Who may write to `project`, asked once per user."""

    def __init__(self, project: Project, warnings: list[str]) -> None:
        self.project = project
        self.warnings = warnings
        self.known: dict[int, bool] = {}

    def can_write(self, user_id: int, username: str) -> bool:
        if user_id not in self.known:
            self.known[user_id] = self._ask(user_id, username)
        return self.known[user_id]

    def _ask(self, user_id: int, username: str) -> bool:
        try:
            member = ask(lambda: self.project.members_all.get(user_id))
        except GitlabError as err:
            if err.response_code == 404:
                return False  # not a member
            self.warnings.append(f"{username}'s access could not be read: {describe(err)}")
            return False
        except FAILED as err:
            self.warnings.append(f"{username}'s access could not be read: {describe(err)}")
            return False
        level = member.attributes.get("access_level")
        return isinstance(level, int) and level >= DEVELOPER


def recall(client: gitlab.Gitlab, project_id: str, iid: int, project_url: str) -> Recall:
    """baton's summary note and the replies to its line discussions on merge request `iid`."""
    found = Recall()
    try:
        ask(client.auth)
    except FAILED as err:
        found.warnings.append(
            f"baton's earlier notes could not be read: the token's user is unknown "
            f"({describe(err)})"
        )
        return found
    if client.user is None:
        found.warnings.append("baton's earlier notes could not be read: GitLab named no user")
        return found
    user_id = int(client.user.id)
    project = client.projects.get(project_id, lazy=True)
    mr = project.mergerequests.get(iid, lazy=True)
    try:
        sticky = find_sticky(mr, user_id)
    except FAILED as err:
        sticky = []
        found.warnings.append(f"baton's summary note could not be read: {describe(err)}")
    if sticky:
        found.summary = sticky[0].body
    members = Members(project, found.warnings)
    link = f"{project_url.rstrip('/')}/-/merge_requests/{iid}#note_" if project_url else None
    try:
        found.replies = replies(mr, user_id, members, link)
    except FAILED as err:
        found.warnings.append(
            f"replies to baton's line discussions could not be read: {describe(err)}"
        )
    return found


def replies(
    mr: ProjectMergeRequest, user_id: int, members: Members, link: str | None
) -> list[Reply]:
    """Later notes in baton's line discussions, oldest first; `link` + a note id is its URL."""
    found: list[tuple[int, Reply]] = []
    for discussion in ask(lambda: list(mr.discussions.list(iterator=True))):
        notes = [n for n in discussion.attributes.get("notes") or [] if isinstance(n, Mapping)]
        if not notes or not _is_batons(notes[0], user_id):
            continue
        fingerprint = inline_fingerprint(notes[0].get("body"))
        assert fingerprint is not None  # `_is_batons` found the marker
        for note in notes[1:]:
            if note.get("system") or _is_batons(note, user_id):
                continue
            author = _dict(note.get("author"))
            username = str(author.get("username") or "ghost")
            author_id = author.get("id")
            may_write = isinstance(author_id, int) and members.can_write(author_id, username)
            note_id = note.get("id")
            url = f"{link}{note_id}" if link is not None and isinstance(note_id, int) else None
            reply = Reply(fingerprint, username, may_write, str(note.get("body") or ""), url)
            found.append((note_id if isinstance(note_id, int) else 0, reply))
    return [reply for _, reply in sorted(found, key=lambda pair: pair[0])]


def _is_batons(note: Mapping[str, Any], user_id: int) -> bool:
    """Whether `note` is one of baton's line comments: its marker, and the token's user."""
    if inline_fingerprint(note.get("body")) is None:
        return False
    return bool(_dict(note.get("author")).get("id") == user_id)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
