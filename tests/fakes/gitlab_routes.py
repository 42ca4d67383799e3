"""The endpoints of the fake GitLab: one function per route, and GitLab-style pagination.

Each endpoint takes a `Call` (the routed, authenticated request) and returns an `Answer`
(status, JSON body, extra headers), or raises `ApiError`. `route(method, path)` finds the
endpoint for an API path (after `/api/v4`, project ids still URL-encoded) with its `Rules`:
whether it calls `authenticate!` (anonymous: 401) and whether it takes a CI job token (on any
other route a job token is ignored, as GitLab ignores it). Lists answer one page (`per_page`
default 20, at most 100; `page` from 1) with `x-page`, `x-per-page`, `x-total`,
`x-total-pages`, `x-next-page`, `x-prev-page` and a `Link` header (prev, next, first, last)
whose URLs repeat the request's query with `page` and `per_page`, keys sorted as Rails'
`to_query` sorts them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode

from tests.fakes import gitlab_files as files
from tests.fakes import gitlab_notes as notes
from tests.fakes import gitlab_shapes as shapes
from tests.fakes.gitlab_checks import boolean, checked
from tests.fakes.gitlab_shapes import Site
from tests.fakes.gitlab_state import (
    ROLES,
    ApiError,
    GitLabState,
    MergeRequest,
    Project,
    Token,
    User,
    forbidden,
    not_found,
    param_error,
)
from tests.fakes.pagination import Page
from tests.fakes.traffic import Answer


@dataclass
class Call:
    """One routed request, as the endpoint functions see it."""

    state: GitLabState
    site: Site
    args: dict[str, str]
    query: dict[str, str]
    params: dict[str, Any]
    token: Token | None
    api_path: str  # as sent, after /api/v4

    @property
    def user(self) -> User:
        assert self.token is not None  # the route authenticates
        return self.token.user

    def project(self) -> Project:
        """`user_project`: a private project is a 404 to non-members."""
        project = self.state.project(self.args["id"])
        if project.visibility != "public" and not self.level(project):
            raise not_found("Project")
        return project

    def level(self, project: Project) -> int:
        return self.state.level(None if self.token is None else self.token.user, project)

    def mr(self, missing: str | None = None) -> MergeRequest:
        """The merge request `iid` (a 404 saying `missing`); Guests of a private project and
        strangers cannot read merge requests (403)."""
        project = self.project()
        try:
            mr = self.state.merge_request(project, int(self.args["iid"]))
        except ApiError:
            raise not_found(missing) from None
        if project.visibility != "public" and self.level(project) < ROLES["reporter"]:
            raise forbidden()
        return mr

    def code(self) -> Project:
        """The project, if this request may read its repository (`read_code`): Guests of a
        private project may not (403)."""
        project = self.project()
        if project.visibility != "public" and self.level(project) < ROLES["reporter"]:
            raise forbidden()
        return project

    def page(self, items: Sequence[Any], render: Callable[[Any], Any]) -> Answer:
        """One page of `items`, rendered, with GitLab's pagination headers."""
        page = Page.asked(self.query, len(items), default_per_page=20)
        base = f"{self.site.api}{self.api_path}"

        def url(number: int) -> str:
            query = self.query | {"page": str(number), "per_page": str(page.per_page)}
            return f"{base}?{urlencode(sorted(query.items()))}"

        headers = {
            "x-page": str(page.number),
            "x-per-page": str(page.per_page),
            "x-total": str(page.total),
            "x-total-pages": str(page.last),
            "x-next-page": "" if page.next is None else str(page.next),
            "x-prev-page": "" if page.prev is None else str(page.prev),
            "link": page.link(url, ("prev", "next", "first", "last")),
        }
        return 200, [render(item) for item in page.cut(items)], headers


@dataclass(frozen=True)
class Rules:
    authenticate: bool = True  # `before { authenticate! }`
    job_token: bool = False  # `route_setting :authentication, job_token_allowed: true`


Endpoint = Callable[[Call], Answer]
_ROUTES: list[tuple[str, re.Pattern[str], Endpoint, Rules]] = []
_PROJECT = r"/projects/(?P<id>[^/]+)"
_MR = _PROJECT + r"/merge_requests/(?P<iid>\d+)"
_NOTE = r"/notes/(?P<note>\d+)"
_DISCUSSION = r"/discussions/(?P<discussion>[0-9a-f]+)"
_DRAFT = r"/draft_notes/(?P<draft>\d+)"


def route(method: str, path: str) -> tuple[Endpoint, dict[str, str], Rules] | None:
    """The endpoint for `method` on the API `path`, its path arguments and rules."""
    for verb, pattern, endpoint, rules in _ROUTES:
        match = pattern.fullmatch(path)
        if match and verb == method:
            return endpoint, match.groupdict(), rules
    return None


def _serves(
    method: str, path: str, *, authenticate: bool = True, job_token: bool = False
) -> Callable[[Endpoint], Endpoint]:
    def register(endpoint: Endpoint) -> Endpoint:
        _ROUTES.append((method, re.compile(path), endpoint, Rules(authenticate, job_token)))
        return endpoint

    return register


def _ok(body: Any, status: int = 200) -> Answer:
    return status, body, {}


_NO_CONTENT: Answer = (204, None, {})


@_serves("GET", "/user")
def _get_user(c: Call) -> Answer:
    assert c.token is not None
    return _ok(shapes.current_user(c.site, c.token))


@_serves("GET", _PROJECT, authenticate=False)
def _get_project(c: Call) -> Answer:
    project = c.project()
    return _ok(shapes.project_json(c.site, project, c.level(project)))


@_serves("GET", _PROJECT + r"/repository/files/(?P<file_path>[^/]+)", authenticate=False)
def _get_file(c: Call) -> Answer:
    return _ok(files.file_json(c.state, c.code(), unquote(c.args["file_path"]), c.params))


@_serves("GET", _PROJECT + "/repository/tree", authenticate=False)
def _list_tree(c: Call) -> Answer:
    return c.page(files.tree(c.state, c.code(), c.params), lambda entry: entry)


@_serves("GET", _PROJECT + r"/members/all/(?P<user_id>\d+)")
def _get_member(c: Call) -> Answer:
    """`GET /projects/:id/members/all/:user_id`: a member, direct or inherited (a user with an
    access level everywhere is a member of every project). GitLab looks the user up with
    `find_by!`, so one who is not a member is ActiveRecord's 404 "404 Not found"
    (https://docs.gitlab.com/api/members/#get-a-member-of-a-group-or-project-including-inherited-and-invited-members)."""
    project = c.project()
    wanted = int(c.args["user_id"])
    user = next((u for u in c.state.users.values() if u.id == wanted), None)
    level = c.state.level(user, project)
    if user is None or not level:
        raise not_found()
    return _ok(shapes.member_json(c.site, user, level))


@_serves("GET", _MR, authenticate=False, job_token=True)
def _get_mr(c: Call) -> Answer:
    return _ok(shapes.merge_request_json(c.site, c.mr()))


@_serves("GET", _MR + "/changes", authenticate=False)
def _get_changes(c: Call) -> Answer:
    mr = c.mr()
    changes = [shapes.diff_json(file) for file in mr.version.files]
    return _ok(shapes.merge_request_json(c.site, mr) | {"changes": changes, "overflow": False})


@_serves("GET", _MR + "/diffs", authenticate=False)
def _list_diffs(c: Call) -> Answer:
    return c.page(c.mr().version.files, shapes.diff_json)


@_serves("GET", _MR + "/versions")
def _list_versions(c: Call) -> Answer:
    mr = c.mr()
    return c.page(mr.versions[::-1], lambda version: shapes.version_json(mr, version))


@_serves("GET", _MR + r"/versions/(?P<version>\d+)")
def _get_version(c: Call) -> Answer:
    mr = c.mr()
    for version in mr.versions:
        if version.id == int(c.args["version"]):
            diffs = [shapes.diff_json(file) for file in version.files]
            return _ok(shapes.version_json(mr, version) | {"commits": [], "diffs": diffs})
    raise not_found()


@_serves("GET", _MR + "/notes", job_token=True)
def _list_notes(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    order_by = c.query.get("order_by", "created_at")
    sort = c.query.get("sort", "desc")
    kinds = c.query.get("activity_filter", "all_notes")
    problems = [
        f"{name} does not have a valid value"
        for name, value, allowed in (
            ("order_by", order_by, ("created_at", "updated_at")),
            ("sort", sort, ("asc", "desc")),
            ("activity_filter", kinds, ("all_notes", "only_comments", "only_activity")),
        )
        if value not in allowed
    ]
    checked(problems)
    wanted = {"all_notes": (True, False), "only_comments": (False,), "only_activity": (True,)}
    found = [note for note in mr.notes if note.system in wanted[kinds]]
    found.sort(key=lambda n: (getattr(n, order_by), n.id), reverse=sort == "desc")
    return c.page(found, lambda note: shapes.note_json(c.site, mr, note))


@_serves("POST", _MR + "/notes")
def _create_note(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    note = notes.add_note(c.state, mr, c.user, c.params)
    return _ok(shapes.note_json(c.site, mr, note), 201)


@_serves("GET", _MR + _NOTE, job_token=True)
def _get_note(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    return _ok(shapes.note_json(c.site, mr, mr.note(int(c.args["note"]))[1]))


@_serves("PUT", _MR + _NOTE)
@_serves("PUT", _MR + _DISCUSSION + _NOTE)
def _edit_note(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    note_id = int(c.args["note"])
    if "discussion" in c.args:
        mr.discussion(c.args["discussion"])
        if "body" in c.params and "resolved" in c.params:
            raise param_error("body, resolved are mutually exclusive")
        if "body" not in c.params and "resolved" not in c.params:
            raise param_error("body, resolved are missing, exactly one parameter must be provided")
        if "resolved" in c.params:
            problems: list[str] = []
            resolved = boolean(c.params, "resolved", problems)
            checked(problems)
            note = notes.resolve_note(c.state, mr, c.user, note_id, bool(resolved))
            return _ok(shapes.note_json(c.site, mr, note))
    note = notes.edit_note(c.state, mr, c.user, note_id, c.params)
    return _ok(shapes.note_json(c.site, mr, note))


@_serves("DELETE", _MR + _NOTE)
@_serves("DELETE", _MR + _DISCUSSION + _NOTE)
def _delete_note(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    if "discussion" in c.args:
        mr.discussion(c.args["discussion"])
    notes.delete_note(c.state, mr, c.user, int(c.args["note"]))
    return _NO_CONTENT


@_serves("GET", _MR + "/discussions")
def _list_discussions(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    return c.page(mr.discussions, lambda d: shapes.discussion_json(c.site, mr, d))


@_serves("POST", _MR + "/discussions")
def _create_discussion(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    discussion = notes.add_discussion(c.state, mr, c.user, c.params)
    return _ok(shapes.discussion_json(c.site, mr, discussion), 201)


@_serves("GET", _MR + _DISCUSSION)
def _get_discussion(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    return _ok(shapes.discussion_json(c.site, mr, mr.discussion(c.args["discussion"])))


@_serves("PUT", _MR + _DISCUSSION)
def _resolve_discussion(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    found = notes.resolve_discussion(c.state, mr, c.user, c.args["discussion"], c.params)
    return _ok(shapes.discussion_json(c.site, mr, found))


@_serves("POST", _MR + _DISCUSSION + "/notes")
def _reply(c: Call) -> Answer:
    mr = c.mr("MergeRequest")
    note = notes.reply(c.state, mr, c.user, c.args["discussion"], c.params)
    return _ok(shapes.note_json(c.site, mr, note), 201)


@_serves("GET", _MR + "/draft_notes")
def _list_drafts(c: Call) -> Answer:
    mr = c.mr()
    return _ok([shapes.draft_json(mr, d) for d in mr.drafts if d.author == c.user])


@_serves("POST", _MR + "/draft_notes")
def _create_draft(c: Call) -> Answer:
    mr = c.mr()
    return _ok(shapes.draft_json(mr, notes.add_draft(c.state, mr, c.user, c.params)), 201)


@_serves("GET", _MR + _DRAFT)
def _get_draft(c: Call) -> Answer:
    mr = c.mr()
    return _ok(shapes.draft_json(mr, notes.draft(mr, c.user, int(c.args["draft"]))))


@_serves("PUT", _MR + _DRAFT)
def _edit_draft(c: Call) -> Answer:
    mr = c.mr()
    draft = notes.edit_draft(mr, c.user, int(c.args["draft"]), c.params)
    return _ok(shapes.draft_json(mr, draft))


@_serves("DELETE", _MR + _DRAFT)
def _delete_draft(c: Call) -> Answer:
    mr = c.mr()
    mr.drafts.remove(notes.draft(mr, c.user, int(c.args["draft"])))
    return _NO_CONTENT


@_serves("PUT", _MR + _DRAFT + "/publish")
def _publish_draft(c: Call) -> Answer:
    notes.publish(c.state, c.mr(), c.user, int(c.args["draft"]))
    return _NO_CONTENT


@_serves("POST", _MR + "/draft_notes/bulk_publish")
def _bulk_publish(c: Call) -> Answer:
    notes.publish(c.state, c.mr(), c.user, None)
    return _NO_CONTENT
