"""What the fake GitLab knows: users, tokens, projects, merge requests and their notes.

`GitLabState` is the store behind the HTTP layer; refusals are `ApiError`s carrying GitLab's
status and JSON body (`{"message": ...}` from the API's helpers, `{"error": ...}` from Grape's
parameter checks and OAuth guard). Times come from a fake clock that starts at
2026-01-01T00:00:00.000Z and ticks one second per stored change. Writing notes lives in
`gitlab_notes`.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from tests.fakes.gitlab_diff import DiffFile

ROLES = {
    "guest": 10,
    "planner": 15,
    "reporter": 20,
    "developer": 30,
    "maintainer": 40,
    "owner": 50,
}
TOKEN_KINDS = ("personal", "project", "oauth", "job")


class ApiError(Exception):
    """A refusal as GitLab sends it: HTTP status and JSON body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


def refused(status: int, text: str) -> ApiError:
    """`{"message": "<status> <text>"}`, as GitLab's `render_api_error!` helpers answer."""
    return ApiError(status, {"message": f"{status} {text}"})


def not_found(what: str | None = None) -> ApiError:
    """GitLab's `not_found!(what)`; `None` is ActiveRecord's "404 Not found"."""
    return refused(404, f"{what} Not Found" if what else "Not found")


def forbidden() -> ApiError:
    return refused(403, "Forbidden")


def bad_request(reason: str) -> ApiError:
    return refused(400, f"Bad request - {reason}")


def param_error(text: str) -> ApiError:
    """Grape's answer to a missing or invalid parameter: 400 `{"error": "body is missing"}`."""
    return ApiError(400, {"error": text})


@dataclass(frozen=True)
class User:
    """An account; `level` is its access level in every project (None: only where it is a
    member). Bot users stand for project, group and service account tokens."""

    id: int
    username: str
    name: str
    bot: bool = False
    level: int | None = None


@dataclass(frozen=True)
class Token:
    """A credential: `kind` is "personal", "project" (a project/group access token, whose user
    is a bot), "oauth" (sent as `Authorization: Bearer`) or "job" (`CI_JOB_TOKEN`)."""

    value: str
    kind: str
    user: User
    scopes: frozenset[str] = frozenset({"api"})


@dataclass
class Project:
    id: int
    path_with_namespace: str
    visibility: str = "private"
    default_branch: str = "main"
    created_at: str = "2025-01-01T00:00:00.000Z"
    members: dict[int, int] = field(default_factory=dict)  # user id -> access level
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # ref -> path -> bytes

    @property
    def path(self) -> str:
        return self.path_with_namespace.rpartition("/")[2]

    @property
    def namespace(self) -> str:
        return self.path_with_namespace.rpartition("/")[0]


@dataclass
class Version:
    """One MR diff version (`merge_request_diffs`): its SHAs and files."""

    id: int
    base_sha: str
    start_sha: str
    head_sha: str
    files: list[DiffFile]
    created_at: str

    @property
    def refs(self) -> tuple[str, str, str]:
        return (self.base_sha, self.start_sha, self.head_sha)


@dataclass
class Note:
    """A note: `type` None (a plain MR comment), "DiscussionNote" or "DiffNote" (`position`
    set). Plain notes are not resolvable; the others are."""

    id: int
    body: str
    author: User
    created_at: str
    updated_at: str
    discussion_id: str
    type: str | None = None
    system: bool = False
    position: dict[str, Any] | None = None
    line_code: str | None = None
    commit_id: str | None = None
    resolved_by: User | None = None
    resolved_at: str | None = None

    @property
    def resolvable(self) -> bool:
        return self.type is not None and not self.system

    @property
    def resolved(self) -> bool:
        return self.resolvable and self.resolved_by is not None


@dataclass
class Discussion:
    """A thread; `individual` for a plain note (GitLab's `individual_note: true`)."""

    id: str
    notes: list[Note]
    individual: bool = False

    @property
    def resolvable(self) -> bool:
        return any(note.resolvable for note in self.notes)

    @property
    def resolved(self) -> bool:
        return self.resolvable and all(n.resolved for n in self.notes if n.resolvable)


@dataclass
class DraftNote:
    """A pending review comment, visible to its author only until published. `position` is
    kept as sent (GitLab checks it only when the draft is published)."""

    id: int
    author: User
    note: str
    position: dict[str, Any] | None = None
    line_code: str | None = None
    reply_to: str | None = None  # discussion id
    resolve_discussion: bool = False
    commit_id: str | None = None


@dataclass
class MergeRequest:
    project: Project
    iid: int
    id: int
    title: str
    description: str
    state: str
    draft: bool
    author: User
    source_branch: str
    target_branch: str
    source_project: Project
    created_at: str
    updated_at: str
    versions: list[Version] = field(default_factory=list)
    discussions: list[Discussion] = field(default_factory=list)
    drafts: list[DraftNote] = field(default_factory=list)

    @property
    def version(self) -> Version:
        """The latest diff version: what `diff_refs`, `sha` and the diffs describe."""
        return self.versions[-1]

    @property
    def notes(self) -> list[Note]:
        """Every note, oldest first."""
        return sorted((n for d in self.discussions for n in d.notes), key=lambda n: n.id)

    def discussion(self, discussion_id: str) -> Discussion:
        for discussion in self.discussions:
            if discussion.id == discussion_id:
                return discussion
        raise not_found("Discussion")

    def note(self, note_id: int) -> tuple[Discussion, Note]:
        for discussion in self.discussions:
            for note in discussion.notes:
                if note.id == note_id:
                    return discussion, note
        raise not_found()


class GitLabState:
    """The store; not thread-safe by itself (the server serialises calls)."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.projects: dict[int, Project] = {}
        self.merge_requests: dict[tuple[int, int], MergeRequest] = {}
        self._ids = {kind: itertools.count(base) for kind, base in _ID_BASES.items()}
        self._ticks = itertools.count()

    def now(self) -> str:
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=next(self._ticks))
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def new_id(self, kind: str) -> int:
        return next(self._ids[kind])

    def new_discussion_id(self) -> str:
        return hashlib.sha1(f"discussion {self.new_id('discussion')}".encode()).hexdigest()

    def user(self, username: str, *, name: str | None = None, bot: bool = False) -> User:
        """The account `username`, created on first mention."""
        if username not in self.users:
            display = name or username.replace("_", " ").title()
            self.users[username] = User(self.new_id("user"), username, display, bot)
        return self.users[username]

    def project(self, ref: str) -> Project:
        """A project by numeric id or (URL-encoded) `namespace/path`, case-insensitively."""
        wanted = unquote(ref)
        for project in self.projects.values():
            if wanted == str(project.id) or wanted.lower() == project.path_with_namespace.lower():
                return project
        raise not_found("Project")

    def find_project(self, path: str) -> Project | None:
        try:
            return self.project(path)
        except ApiError:
            return None

    def merge_request(self, project: Project, iid: int) -> MergeRequest:
        found = self.merge_requests.get((project.id, iid))
        if found is None:
            raise not_found()
        return found

    def project_merge_requests(self, project: Project) -> Iterator[MergeRequest]:
        return (mr for (pid, _), mr in self.merge_requests.items() if pid == project.id)

    def add_version(
        self, mr: MergeRequest, refs: tuple[str, str, str], files: list[DiffFile]
    ) -> Version:
        version = Version(self.new_id("version"), *refs, files, self.now())
        mr.versions.append(version)
        return version

    def seed_note(self, mr: MergeRequest, body: str, user: User, *, system: bool) -> Note:
        """A plain (or system) note, as if written earlier."""
        stamp = self.now()
        note = Note(self.new_id("note"), body, user, stamp, stamp, self.new_discussion_id())
        note.system = system
        mr.discussions.append(Discussion(note.discussion_id, [note], individual=True))
        return note

    def level(self, user: User | None, project: Project) -> int:
        """`user`'s access level in `project` (0: not a member)."""
        if user is None:
            return 0
        return project.members.get(user.id, user.level or 0)


_ID_BASES = {
    "user": 2,
    "project": 1001,
    "merge_request": 50_001,
    "version": 70_001,
    "note": 900_001,
    "draft": 801,
    "discussion": 1,
}
