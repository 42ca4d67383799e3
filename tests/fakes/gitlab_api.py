"""A fake GitLab REST API (v4) on 127.0.0.1 that real python-gitlab can talk to, errors included.

    with FakeGitLab() as fake:  # or the `fake_gitlab` fixture (tests/fakes/gitlab_fixture.py)
        mr = fake.add_merge_request("acme/widgets", 7, diff=git_diff_text)
        gl = gitlab.Gitlab(fake.url, private_token=FakeGitLab.BOT_TOKEN)
        gl.projects.get("acme/widgets").mergerequests.get(7).notes.create({"body": "hello"})
        assert [n.body for n in fake.notes(mr)] == ["hello"]

Serving: `fake.url` is a gitlab.com-style root, `http://127.0.0.1:PORT`, API at `fake.api_url`
(`.../api/v4`, what CI_API_V4_URL holds). The same API answers under a self-managed sub-path:
`fake.sub_path_url` = `http://127.0.0.1:PORT/gitlab` (`FakeGitLab(sub_path=...)`), API at
`fake.sub_path_api_url`; other paths are a 404 HTML page. URLs in answers (`web_url`, `Link`)
follow the root and `Host` of each request. python-gitlab takes the root, not the API URL.

Users and tokens (`PRIVATE-TOKEN`, `Authorization: Bearer`, `JOB-TOKEN`; see `gitlab_http`):
* "alice", Maintainer of every project: `USER_TOKEN` (personal, `api`), `OAUTH_TOKEN` (OAuth,
  `api`), `READ_API_TOKEN` (personal, `read_api`: every write is a 403 `{"error":
  "insufficient_scope", "error_description": "The request requires higher privileges than
  provided by the access token.", "scope": "api"}`) and `JOB_TOKEN` (a CI job of hers: it reads
  the merge request and its notes only; GitLab ignores job tokens on every other route, so a
  write, `GET /user` or the discussions are a 401 `{"message": "401 Unauthorized"}` and a
  private project is a 404 "404 Project Not Found").
* `BOT_TOKEN`: a group access token (`api`); its bot user "group_100_bot_<hex>" (`bot: true`,
  name "baton") is a Developer of every project. `add_project_token` makes project access
  tokens: bot "project_<id>_bot_<hex>", member of that project only.
* "bob", a Developer everywhere, authors merge requests by default. Unknown tokens: 401.
Roles: reading a private project's merge requests or writing notes needs Reporter (a
non-member gets 404 "404 Project Not Found", a Guest 403); editing or deleting a note, its
author or a Maintainer; resolving a thread, the MR's author or a Developer (else 403
`{"message": "403 Forbidden"}`).

Endpoints under `/projects/:id` (`:id` numeric or URL-encoded, `acme%2Fwidgets`; any other
route is a 404 `{"error": "404 Not Found", "fake": "<the request>"}`): `GET /user`, `GET
/projects/:id`, `GET .../merge_requests/:iid`, `.../changes`, `.../diffs`, `.../versions`
(newest first), `.../versions/:id`; `GET|POST .../notes` (newest first unless `sort=asc`;
`order_by`, `activity_filter`), `GET|PUT|DELETE .../notes/:id`; `GET|POST .../discussions`,
`GET|PUT .../discussions/:id` (`resolved`), `POST .../discussions/:id/notes`, `PUT|DELETE
.../discussions/:id/notes/:id`; `GET|POST .../draft_notes` (not paginated), `GET|PUT|DELETE
.../draft_notes/:id`, `PUT .../draft_notes/:id/publish`, `POST .../draft_notes/bulk_publish`;
`GET .../repository/files/:path?ref=` and `.../repository/tree` (see `gitlab_files`; reading
files also takes a `read_repository` token); `GET /projects/:id/members/all/:user_id` (a
member's `access_level`; not a member: 404 `{"message": "404 Not found"}`).
Lists: `per_page` 20 by default, 100 at most, with `x-total`, `x-next-page`... and `Link`
(see `gitlab_routes`). Deleting and publishing answer 204.

Validation (nothing is stored when a request is refused; see `gitlab_checks`): a missing or
mistyped parameter is Grape's 400 `{"error": "body is missing"}`; a note over 1,000,000
characters a 400 `{"message": "400 Bad request - Note {:note=>[\"is too long (maximum is
1000000 characters)\"]}"}`; a `position` naming no diff line a 400 `{"message": "400 Bad
request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"}` (plus
`, :position=>[\"is incomplete\"]` when a SHA, both paths or both lines are missing). Its three
SHAs must be a diff version's (`diff_refs`, or an older version's after a `push`); an added line
is named by `new_line` only, a removed one by `old_line` only, an unchanged one by both (also
between hunks: GitLab unfolds the diff); a renamed file by both paths. Draft notes are NOT
checked: GitLab stores any position, then `bulk_publish` silently drops the drafts whose note
is invalid (and answers 204); a draft with an incomplete position becomes a plain thread.

Faults, planned with `inject(Fault..., times=N, on="writes"|"reads"|"any", path=regex, method=M,
after=K)` (see `gitlab_traffic`): 429 rate limit (`Retry-After`), notes rate limit, 5xx, 404
`{"error": "404 Not Found"}` or 405 (a route this GitLab lacks, e.g. the Draft Notes API), 400
on a position, 403 insufficient scope, hang, reset, lost answer (carried out, never answered),
truncated or malformed answer (carried out, then the body cut short or cut to half its JSON).
They come before routing and authentication.

python-gitlab 8.6.0 against this fake (pinned by tests/fakes/test_gitlab_api.py): on a 429 it
sleeps `Retry-After` (else 0.1 s, 0.2 s, ...) and retries (`obey_rate_limit=True`,
`max_retries=10`, both per call too), then raises (`GitlabCreateError`...); 5xx and timeouts are
retried only with `retry_transient_errors=True`, so a lost or truncated answer to a POST then
duplicates the note; an answer that is not JSON is a `GitlabParsingError`, never retried; it has
no timeout unless given one; a 401 is `GitlabAuthenticationError`; `list()` without
`get_all=True` returns the first page only (and warns when there are more).

Set-up: `add_merge_request(project, iid, diff=, base_sha=, head_sha=, start_sha=, title=,
description=, draft=, state=, author=, source_branch=, target_branch=, source_project=)`
(`source_project` a path: a fork); `push(mr, head_sha, diff=)` adds a diff version and GitLab's
"added 1 commit" system note; `add_note(mr, body, author=, system=)` seeds a note;
`add_file(project, path, text_or_bytes, ref=)` puts a file at a ref;
`add_project`, `add_user`, `add_member`, `remove_member`, `add_token`, `add_project_token`. An
`mr` argument is a `MergeRequest` or its iid (when only one project has it).

Inspection: `requests()`/`writes()` give `RecordedRequest`s (method, path, canonical route,
query, merged params, headers, username, token kind, status, outcome); `notes(mr)` (system
notes included), `discussions(mr)`, `draft_notes(mr)` give the stored objects (live; read them
once the client is done).

Not modelled: other APIs (issues, commits, pipelines, approvals...); changing or merging merge
requests; `unidiff=true`; image/file positions and `line_range` checks (kept as sent); notes
outdated by a push; comments after the last hunk (GitLab checks them against the old file,
which the fake does not have: refused); quick actions; internal notes; `sudo`; keyset
pagination; job token allowlists (a job token reads every project); expired or revoked tokens.
Assumed, not seen on a live GitLab: the insufficient-scope `scope` of a read ("api read_api"),
a Guest's 403 on a private project's merge request, the order of keys in `Link` URLs.
"""

from __future__ import annotations

import hashlib
import re

from tests.fakes.gitlab_diff import files_from_diff
from tests.fakes.gitlab_http import Backend, Handler
from tests.fakes.gitlab_state import (
    ROLES,
    Discussion,
    DraftNote,
    MergeRequest,
    Note,
    Project,
    Token,
    User,
    Version,
)
from tests.fakes.gitlab_traffic import Fault, FaultRule, RecordedRequest
from tests.fakes.server import LocalServer
from tests.fakes.traffic import RecordingFake

__all__ = ["FakeGitLab", "Fault", "FaultRule", "RecordedRequest"]


class FakeGitLab(RecordingFake[Fault, RecordedRequest]):
    """The server and its state; a context manager. Thread-safe."""

    USER_TOKEN = "glpat-fake-alice-api"
    READ_API_TOKEN = "glpat-fake-alice-read-api"
    OAUTH_TOKEN = "fake-oauth-alice-api"
    JOB_TOKEN = "glcbt-fake-alice-job"
    BOT_TOKEN = "glpat-fake-group-bot"

    _backend: Backend

    def __init__(self, *, sub_path: str = "/gitlab") -> None:
        if not re.fullmatch(r"(/[\w.-]+)+", sub_path):
            raise ValueError(f"sub_path must look like /gitlab, not {sub_path!r}")
        self._backend = Backend(sub_path=sub_path)
        self.sub_path = sub_path
        self.add_user("alice", name="Alice Example", role="maintainer")
        self.add_user("bob", name="Bob Builder", role="developer")
        for value, kind, scopes in (
            (self.USER_TOKEN, "personal", ("api",)),
            (self.READ_API_TOKEN, "personal", ("read_api",)),
            (self.OAUTH_TOKEN, "oauth", ("api",)),
            (self.JOB_TOKEN, "job", ()),
        ):
            self.add_token(value, "alice", kind=kind, scopes=scopes)
        bot = f"group_100_bot_{_sha('group 100 bot')[:32]}"
        self.add_user(bot, name="baton", bot=True, role="developer")
        self.add_token(self.BOT_TOKEN, bot, kind="project")
        self._server = LocalServer(self._backend, Handler, "fake-gitlab")

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`: the root for `gitlab.Gitlab(url)`, as gitlab.com."""
        return self._server.url

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v4"

    @property
    def sub_path_url(self) -> str:
        """`http://127.0.0.1:PORT/gitlab`: a self-managed GitLab under a relative URL root."""
        return f"{self.url}{self.sub_path}"

    @property
    def sub_path_api_url(self) -> str:
        return f"{self.sub_path_url}/api/v4"

    # -- set-up ------------------------------------------------------------------------------

    def add_user(
        self, username: str, *, name: str | None = None, bot: bool = False, role: str | None = None
    ) -> User:
        """An account, a member of every project with `role` when given; the existing one if
        known (its role and name are then left as they are)."""
        with self._backend.lock:
            state = self._backend.state
            if username not in state.users:
                user = state.user(username, name=name, bot=bot)
                level = None if role is None else ROLES[role]
                state.users[username] = User(user.id, username, user.name, bot, level)
            return state.users[username]

    def add_member(self, project: str, username: str, role: str) -> None:
        """Make `username` (created if new) a member of `project` with `role`."""
        found = self.add_project(project)
        user = self.add_user(username)
        with self._backend.lock:
            found.members[user.id] = ROLES[role]

    def remove_member(self, project: str, username: str) -> None:
        """`username` is no longer a member of `project` (a role everywhere stays)."""
        found = self.add_project(project)
        user = self.add_user(username)
        with self._backend.lock:
            found.members.pop(user.id, None)

    def add_token(
        self,
        value: str,
        username: str,
        *,
        kind: str = "personal",
        scopes: tuple[str, ...] = ("api",),
    ) -> Token:
        """Let `value` authenticate as `username` (created if new)."""
        user = self.add_user(username)
        with self._backend.lock:
            token = Token(value, kind, user, frozenset(scopes))
            self._backend.state.tokens[value] = token
            return token

    def add_project_token(
        self,
        project: str,
        value: str,
        *,
        role: str = "maintainer",
        scopes: tuple[str, ...] = ("api",),
        name: str = "baton",
    ) -> Token:
        """A project access token: a new bot user, member of `project` only, with `role`
        (GitLab's API default is Maintainer)."""
        found = self.add_project(project)
        username = f"project_{found.id}_bot_{_sha(value)[:32]}"
        self.add_user(username, name=name, bot=True)
        self.add_member(project, username, role)
        return self.add_token(value, username, kind="project", scopes=scopes)

    def add_project(
        self, path: str, *, visibility: str = "private", default_branch: str = "main"
    ) -> Project:
        """The project `namespace/path`; the existing one if known."""
        with self._backend.lock:
            state = self._backend.state
            found = state.find_project(path)
            if found is None:
                found = Project(state.new_id("project"), path, visibility, default_branch)
                state.projects[found.id] = found
            return found

    def add_file(self, project: str, path: str, content: str | bytes, *, ref: str = "main") -> None:
        """Put a file (text is stored as UTF-8) at `ref`, a branch or SHA, of `project`."""
        found = self.add_project(project)
        data = content.encode() if isinstance(content, str) else content
        with self._backend.lock:
            found.files.setdefault(ref, {})[path.strip("/")] = data

    def add_merge_request(
        self,
        project: str,
        iid: int = 1,
        *,
        diff: str = "",
        base_sha: str | None = None,
        head_sha: str | None = None,
        start_sha: str | None = None,
        title: str = "Change things",
        description: str = "",
        draft: bool = False,
        state: str = "opened",
        author: str = "bob",
        source_branch: str = "feature",
        target_branch: str = "main",
        source_project: str | None = None,
    ) -> MergeRequest:
        """A merge request of `project` (created if new) whose first diff version is `diff` (a
        whole `git diff`); `start_sha` defaults to `base_sha`. A draft's title gets GitLab's
        "Draft: " prefix."""
        files = files_from_diff(diff)
        target = self.add_project(project)
        source = target if source_project is None else self.add_project(source_project)
        user = self.add_user(author)
        if draft and not title.lower().startswith(("draft:", "[draft]", "(draft)")):
            title = f"Draft: {title}"
        with self._backend.lock:
            st = self._backend.state
            stamp = st.now()
            mr = MergeRequest(
                project=target,
                iid=iid,
                id=st.new_id("merge_request"),
                title=title,
                description=description,
                state=state,
                draft=draft,
                author=user,
                source_branch=source_branch,
                source_project=source,
                target_branch=target_branch,
                created_at=stamp,
                updated_at=stamp,
            )
            base = base_sha or _sha(f"{project}!{iid}:base")
            head = head_sha or _sha(f"{project}!{iid}:head")
            st.add_version(mr, (base, start_sha or base, head), files)
            st.merge_requests[(target.id, iid)] = mr
            return mr

    def push(
        self,
        mr: MergeRequest | int,
        head_sha: str,
        *,
        diff: str = "",
        base_sha: str | None = None,
        start_sha: str | None = None,
    ) -> Version:
        """A new diff version with head `head_sha` (base and start kept unless given), and the
        system note GitLab writes for it; earlier versions stay valid for positions."""
        files = files_from_diff(diff)
        with self._backend.lock:
            st = self._backend.state
            found = self._mr(mr)
            last = found.version
            refs = (base_sha or last.base_sha, start_sha or last.start_sha, head_sha)
            version = st.add_version(found, refs, files)
            text = f"added 1 commit\n\n<ul><li>{head_sha[:8]} - change</li></ul>"
            st.seed_note(found, text, found.author, system=True)
            return version

    def add_note(
        self, mr: MergeRequest | int, body: str, *, author: str = "bob", system: bool = False
    ) -> Note:
        """A plain note already on the merge request (e.g. an earlier sticky note)."""
        user = self.add_user(author)
        with self._backend.lock:
            return self._backend.state.seed_note(self._mr(mr), body, user, system=system)

    # -- inspection (plus `inject`, `requests` and `writes` from `RecordingFake`) ------------

    def notes(self, mr: MergeRequest | int) -> list[Note]:
        """All notes (plain, thread and diff notes, system notes too), oldest first."""
        with self._backend.lock:
            return self._mr(mr).notes

    def discussions(self, mr: MergeRequest | int) -> list[Discussion]:
        with self._backend.lock:
            return list(self._mr(mr).discussions)

    def draft_notes(self, mr: MergeRequest | int) -> list[DraftNote]:
        """Unpublished drafts of every user."""
        with self._backend.lock:
            return list(self._mr(mr).drafts)

    def _mr(self, mr: MergeRequest | int) -> MergeRequest:
        if isinstance(mr, MergeRequest):
            return mr
        matches = [m for m in self._backend.state.merge_requests.values() if m.iid == mr]
        if len(matches) != 1:
            raise ValueError(f"{len(matches)} fake merge requests have iid {mr}")
        return matches[0]


def _sha(seed: str) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()
