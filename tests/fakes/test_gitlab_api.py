"""The fake GitLab API, driven by the real python-gitlab client (and real git for a diff).

Retries are python-gitlab's own (`obey_rate_limit`, `retry_transient_errors`, `max_retries`):
the tests count the requests the fake got and time the gap a `Retry-After` asked for.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError

import gitlab
import pytest
import requests
from gitlab.v4.objects import ProjectMergeRequest

from tests.fakes.gitlab_api import FakeGitLab, Fault
from tests.fakes.repos import GitRepo

PROJECT = "acme/widgets"
DIFF = """\
diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -1,3 +1,4 @@
 import os
-x = 1
+x = 2
+y = 3
 print(x)
@@ -20,3 +21,3 @@ def main():
 a = 1
-b = 2
+b = 3
 c = 4
diff --git a/old_name.py b/new_name.py
similarity index 80%
rename from old_name.py
rename to new_name.py
index 3333333..4444444 100644
--- a/old_name.py
+++ b/new_name.py
@@ -1,2 +1,2 @@
 keep = 1
-gone = 2
+kept = 2
"""
LINE_CODE_ERROR = (
    '400 Bad request - Note {:line_code=>["can\'t be blank", "must be a valid line code"]}'
)


def client(fake: FakeGitLab, token: str = FakeGitLab.BOT_TOKEN, **options: Any) -> gitlab.Gitlab:
    """python-gitlab as baton would build it: the root URL and a private token."""
    settings: dict[str, Any] = {"url": fake.url, "private_token": token, "timeout": 5}
    return gitlab.Gitlab(**(settings | options))


@pytest.fixture
def mr(fake_gitlab: FakeGitLab) -> Iterator[ProjectMergeRequest]:
    fake_gitlab.add_merge_request(PROJECT, 7, diff=DIFF)
    with client(fake_gitlab) as gl:
        yield gl.projects.get(PROJECT, lazy=True).mergerequests.get(7)


def position(mr: ProjectMergeRequest, **where: Any) -> dict[str, Any]:
    """A text position on app.py in `mr`'s current diff version, changed by `where`."""
    found: dict[str, Any] = {"position_type": "text", "old_path": "app.py", "new_path": "app.py"}
    found.update(mr.diff_refs)
    found.update(where)
    return found


def body_of(error: gitlab.GitlabError) -> Any:
    return json.loads(error.response_body or b"null")


def test_merge_request_reads_like_gitlab(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_merge_request(
        PROJECT, 7, diff=DIFF, base_sha="b" * 40, head_sha="h" * 40, start_sha="s" * 40
    )
    with client(fake_gitlab) as gl:
        project = gl.projects.get(PROJECT)
        merge_request = project.mergerequests.get(7)
        assert (project.path_with_namespace, project.web_url) == (
            PROJECT,
            f"{fake_gitlab.url}/{PROJECT}",
        )
        assert (merge_request.iid, merge_request.state, merge_request.sha) == (
            7,
            "opened",
            "h" * 40,
        )
        assert merge_request.diff_refs == {
            "base_sha": "b" * 40,
            "head_sha": "h" * 40,
            "start_sha": "s" * 40,
        }
        assert merge_request.source_project_id == merge_request.target_project_id == project.id
        assert merge_request.author["username"] == "bob"
        assert merge_request.web_url == f"{fake_gitlab.url}/{PROJECT}/-/merge_requests/7"
        (version,) = merge_request.diffs.list()  # python-gitlab's name for `/versions`
        assert (version.head_commit_sha, version.base_commit_sha, version.start_commit_sha) == (
            "h" * 40,
            "b" * 40,
            "s" * 40,
        )
    assert [r.route for r in fake_gitlab.requests()] == [
        "/projects/1001",
        "/projects/1001/merge_requests/7",
        "/projects/1001/merge_requests/7/versions",
    ]
    assert fake_gitlab.requests()[0].path == "/api/v4/projects/acme%2Fwidgets"


def test_diffs_of_a_real_git_diff(fake_gitlab: FakeGitLab, repo: GitRepo) -> None:
    repo.write("keep.py", "a = 1\nb = 2\n")
    repo.write("old.txt", "same\n")
    repo.write("gone.txt", "bye\n")
    base = repo.commit("base")
    repo.branch("feature")
    repo.write("keep.py", "a = 1\nb = 3\n")
    repo.git("mv", "old.txt", "new.txt")
    repo.remove("gone.txt")
    repo.write("run.sh", "echo hi\n")
    repo.write("logo.png", b"\x89PNG\x00\x01")
    repo.commit("change")
    diff = repo.git("diff", "-M", "main...feature") + "\n"
    fake_gitlab.add_merge_request(PROJECT, 2, diff=diff, base_sha=base, head_sha=repo.head())
    with client(fake_gitlab) as gl:
        project = gl.projects.get(PROJECT, lazy=True)
        listed = gl.http_list(
            f"/projects/{project.encoded_id}/merge_requests/2/diffs", get_all=True
        )
        answer = project.mergerequests.get(2).changes()
        assert isinstance(answer, dict)
        changes = answer["changes"]
    assert isinstance(listed, list) and listed == changes
    files = {item["new_path"]: item for item in listed}
    flags = ("old_path", "new_file", "renamed_file", "deleted_file", "a_mode", "b_mode")
    assert {path: tuple(item[f] for f in flags) for path, item in files.items()} == {
        "gone.txt": ("gone.txt", False, False, True, "100644", "0"),
        "keep.py": ("keep.py", False, False, False, "100644", "100644"),
        "logo.png": ("logo.png", True, False, False, "0", "100644"),
        "new.txt": ("old.txt", False, True, False, "100644", "100644"),
        "run.sh": ("run.sh", True, False, False, "0", "100644"),
    }
    assert files["keep.py"]["diff"] == "@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
    assert files["new.txt"]["diff"] == files["logo.png"]["diff"] == ""


def test_sticky_note_is_created_edited_and_deleted(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    note = mr.notes.create({"body": "<!-- baton -->\nfirst"})
    assert (note.type, note.system, note.resolvable, note.noteable_iid) == (None, False, False, 7)
    assert note.author["name"] == "baton" and note.author["username"].startswith("group_100_bot_")
    note.body = "<!-- baton -->\nsecond"
    note.save()
    assert [n.body for n in mr.notes.list(get_all=True)] == ["<!-- baton -->\nsecond"]
    (stored,) = fake_gitlab.notes(7)
    assert stored.updated_at > stored.created_at
    note.delete()
    assert fake_gitlab.notes(7) == [] and fake_gitlab.discussions(7) == []
    assert [(w.method, w.status) for w in fake_gitlab.writes()] == [
        ("POST", 201),
        ("PUT", 200),
        ("DELETE", 204),
    ]


def test_notes_are_listed_newest_first_across_pages(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    fake_gitlab.add_note(7, "added 1 commit", system=True)
    for index in range(1, 45):
        fake_gitlab.add_note(7, f"note {index}")
    listed = mr.notes.list(get_all=True)
    assert [n.body for n in listed] == [f"note {i}" for i in range(44, 0, -1)] + ["added 1 commit"]
    pages = fake_gitlab.requests(route="/notes$")
    assert [p.query.get("page") for p in pages] == [None, "2", "3"]
    oldest = mr.notes.list(get_all=True, sort="asc", activity_filter="only_comments")
    assert [n.body for n in oldest][:2] == ["note 1", "note 2"] and len(oldest) == 44
    with pytest.raises(gitlab.GitlabListError) as bad:
        mr.notes.list(get_all=True, sort="up")
    assert (bad.value.response_code, bad.value.error_message) == (
        400,
        "sort does not have a valid value",
    )


def test_pagination_headers_and_links(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_project(PROJECT, visibility="public")
    fake_gitlab.add_merge_request(PROJECT, 3)
    for index in range(5):
        fake_gitlab.add_note(3, f"c{index}")
    url = f"{fake_gitlab.api_url}/projects/acme%2Fwidgets/merge_requests/3/notes?per_page=2&page=2"
    request = urllib.request.Request(url, headers={"PRIVATE-TOKEN": FakeGitLab.USER_TOKEN})
    with urllib.request.urlopen(request) as answer:
        headers, items = answer.headers, json.load(answer)
    base = f"{fake_gitlab.api_url}/projects/acme%2Fwidgets/merge_requests/3/notes"
    assert [item["body"] for item in items] == ["c2", "c1"]
    assert {k: headers[k] for k in ("x-page", "x-total", "x-total-pages", "x-next-page")} == {
        "x-page": "2",
        "x-total": "5",
        "x-total-pages": "3",
        "x-next-page": "3",
    }
    assert headers["link"] == (
        f'<{base}?page=1&per_page=2>; rel="prev", <{base}?page=3&per_page=2>; rel="next", '
        f'<{base}?page=1&per_page=2>; rel="first", <{base}?page=3&per_page=2>; rel="last"'
    )


@pytest.mark.parametrize(
    ("where", "line_code"),
    [
        ({"new_line": 3}, "_3_3"),  # added line: new_line only
        ({"old_line": 2}, "_2_2"),  # removed line: old_line only
        ({"old_line": 3, "new_line": 4}, "_3_4"),  # unchanged context line: both
        ({"old_line": 10, "new_line": 11}, "_10_11"),  # between hunks: GitLab unfolds
        ({"old_path": "old_name.py", "new_path": "new_name.py", "new_line": 2}, "_3_2"),
        (
            {"old_path": "old_name.py", "new_path": "new_name.py", "old_line": 1, "new_line": 1},
            "_1_1",
        ),
    ],
)
def test_a_discussion_anchors_on_a_diff_line(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest, where: dict[str, Any], line_code: str
) -> None:
    discussion = mr.discussions.create({"body": "finding", "position": position(mr, **where)})
    (note,) = discussion.attributes["notes"]
    assert discussion.individual_note is False
    assert (note["type"], note["resolvable"], note["resolved"]) == ("DiffNote", True, False)
    expected = {"old_line": None, "new_line": None} | position(mr, **where) | {"line_range": None}
    assert note["position"] == expected
    (stored,) = fake_gitlab.notes(7)
    assert stored.line_code is not None and stored.line_code.endswith(line_code)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"old_line": 2, "new_line": 3}, LINE_CODE_ERROR),  # added line named by both
        ({"old_line": 3}, LINE_CODE_ERROR),  # context line named by old_line only
        ({"new_line": 4}, LINE_CODE_ERROR),  # context line named by new_line only
        ({"old_line": 10, "new_line": 10}, LINE_CODE_ERROR),  # between hunks, wrong offset
        ({"old_line": 40, "new_line": 41}, LINE_CODE_ERROR),  # after the last hunk
        ({"new_line": 3, "head_sha": "0" * 40}, LINE_CODE_ERROR),  # not a diff version's SHAs
        ({"new_path": "other.py", "old_path": "other.py", "new_line": 1}, LINE_CODE_ERROR),
        ({"new_path": "new_name.py", "old_path": None, "new_line": 2}, LINE_CODE_ERROR),
        (
            {"new_line": None},
            LINE_CODE_ERROR.removesuffix("}") + ', :position=>["is incomplete"]}',
        ),
    ],
)
def test_a_wrong_position_is_a_400_and_stores_nothing(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest, where: dict[str, Any], message: str
) -> None:
    sent = {key: value for key, value in position(mr, **where).items() if value is not None}
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        mr.discussions.create({"body": "finding", "position": sent})
    assert (refused.value.response_code, refused.value.error_message) == (400, message)
    assert fake_gitlab.discussions(7) == []


def test_bad_parameters_are_grape_errors(fake_gitlab: FakeGitLab, mr: ProjectMergeRequest) -> None:
    incomplete = {"position_type": "text", "new_path": "app.py", "new_line": 3}
    attempts = [
        (
            {"body": "x", "position": incomplete},
            "position[base_sha] is missing, "
            "position[start_sha] is missing, position[head_sha] is missing",
        ),
        (
            {"body": "x", "position": position(mr, position_type="line")},
            "position[position_type] does not have a valid value",
        ),
        (
            {"body": "x", "position": position(mr, new_line="three")},
            "position[new_line] is invalid",
        ),
    ]
    for payload, message in attempts:
        with pytest.raises(gitlab.GitlabCreateError) as refused:
            mr.discussions.create(payload)
        assert body_of(refused.value) == {"error": message}
    with pytest.raises(gitlab.GitlabHttpError) as missing:
        mr.manager.gitlab.http_post(f"{mr.manager.path}/7/notes", post_data={"note": "x"})
    assert body_of(missing.value) == {"error": "body is missing"}
    assert fake_gitlab.notes(7) == []


def test_note_bodies_over_a_million_characters_are_refused(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    note = mr.notes.create({"body": "x" * 1_000_000})
    too_long = '400 Bad request - Note {:note=>["is too long (maximum is 1000000 characters)"]}'
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        mr.notes.create({"body": "x" * 1_000_001})
    assert (refused.value.response_code, refused.value.error_message) == (400, too_long)
    note.body = "y" * 1_000_001
    with pytest.raises(gitlab.GitlabUpdateError) as edit:
        note.save()
    assert edit.value.error_message == too_long
    with pytest.raises(gitlab.GitlabCreateError) as blank:
        mr.notes.create({"body": "  "})
    assert blank.value.error_message == '400 Bad request - Note {:note=>["can\'t be blank"]}'
    assert [len(n.body) for n in fake_gitlab.notes(7)] == [1_000_000]


def test_draft_notes_are_published_as_threads(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    first = mr.draft_notes.create({"note": "y is unused", "position": position(mr, new_line=3)})
    mr.draft_notes.create({"note": "old b", "position": position(mr, old_line=21)})
    mr.draft_notes.create({"note": "summary"})
    assert first.line_code.endswith("_3_3") and first.position["new_line"] == 3
    with client(fake_gitlab, FakeGitLab.USER_TOKEN) as other:
        theirs = other.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True)
        assert theirs.draft_notes.list() == []
    assert len(mr.draft_notes.list()) == 3 and fake_gitlab.discussions(7) == []
    mr.draft_notes.bulk_publish()
    threads = mr.discussions.list(get_all=True)
    assert [(d.individual_note, d.attributes["notes"][0]["type"]) for d in threads] == [
        (False, "DiffNote"),
        (False, "DiffNote"),
        (False, "DiscussionNote"),
    ]
    assert [n.body for n in fake_gitlab.notes(7)] == ["y is unused", "old b", "summary"]
    assert fake_gitlab.draft_notes(7) == [] and mr.draft_notes.list() == []
    assert fake_gitlab.writes()[-1].status == 204


def test_a_draft_with_a_bad_position_vanishes_on_publish(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    draft = mr.draft_notes.create({"note": "lost", "position": position(mr, new_line=99)})
    assert draft.line_code is None  # GitLab stores it anyway
    mr.draft_notes.create({"note": "kept", "position": position(mr, new_line=2)})
    mr.draft_notes.bulk_publish()
    assert [n.body for n in fake_gitlab.notes(7)] == ["kept"]
    assert fake_gitlab.draft_notes(7) == []


def test_discussions_are_resolved_and_replied_to(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    thread = mr.discussions.create({"body": "finding", "position": position(mr, new_line=3)})
    plain = mr.notes.create({"body": "summary"})
    thread.notes.create({"body": "fixed?"})
    thread.resolved = True
    thread.save()
    listed = mr.discussions.get(thread.id).attributes["notes"]
    assert [(n["body"], n["resolved"]) for n in listed] == [("finding", True), ("fixed?", True)]
    assert listed[0]["resolved_by"]["name"] == "baton"
    fake_gitlab.add_project_token(PROJECT, "glpat-reporter", role="reporter")
    with client(fake_gitlab, "glpat-reporter") as reporter:
        theirs = reporter.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True)
        with pytest.raises(gitlab.GitlabUpdateError) as refused:
            theirs.discussions.update(thread.id, {"resolved": False})
        assert (refused.value.response_code, refused.value.error_message) == (403, "403 Forbidden")
    plain_thread = fake_gitlab.discussions(7)[1]
    with pytest.raises(gitlab.GitlabUpdateError) as not_resolvable:
        mr.discussions.update(plain_thread.id, {"resolved": True})
    assert not_resolvable.value.response_code == 403 and plain.resolvable is False
    assert fake_gitlab.discussions(7)[0].resolved


def test_read_api_token_is_refused_every_write(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    existing = mr.notes.create({"body": "old summary"})
    with client(fake_gitlab, FakeGitLab.READ_API_TOKEN) as gl:
        theirs = gl.projects.get(PROJECT).mergerequests.get(7)
        assert [n.body for n in theirs.notes.list(get_all=True)] == ["old summary"]
        with pytest.raises(gitlab.GitlabCreateError) as refused:
            theirs.notes.create({"body": "summary"})
        assert body_of(refused.value) == {
            "error": "insufficient_scope",
            "error_description": "The request requires higher privileges than provided by the "
            "access token.",
            "scope": "api",
        }
        with pytest.raises(gitlab.GitlabUpdateError):
            theirs.notes.update(existing.id, {"body": "new summary"})
        with pytest.raises(gitlab.GitlabCreateError):
            theirs.discussions.create({"body": "b", "position": position(theirs, new_line=3)})
    assert [(w.method, w.status) for w in fake_gitlab.writes()][1:] == [
        ("POST", 403),
        ("PUT", 403),
        ("POST", 403),
    ]
    assert [n.body for n in fake_gitlab.notes(7)] == ["old summary"]


def test_job_token_reads_notes_but_cannot_write(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    mr.notes.create({"body": "old summary"})
    with gitlab.Gitlab(fake_gitlab.url, job_token=FakeGitLab.JOB_TOKEN, timeout=5) as gl:
        project = gl.projects.get(PROJECT, lazy=True)
        theirs = project.mergerequests.get(7)
        assert [n.body for n in theirs.notes.list(get_all=True)] == ["old summary"]
        with pytest.raises(gitlab.GitlabAuthenticationError) as refused:
            theirs.notes.create({"body": "summary"})
        assert (refused.value.response_code, refused.value.error_message) == (
            401,
            "401 Unauthorized",
        )
        with pytest.raises(gitlab.GitlabAuthenticationError):
            theirs.discussions.list(get_all=True)
        with pytest.raises(gitlab.GitlabAuthenticationError):
            gl.auth()
        with pytest.raises(gitlab.GitlabGetError) as hidden:
            gl.projects.get(PROJECT)  # the job token is ignored there: anonymous
        assert hidden.value.error_message == "404 Project Not Found"
    tokens = [(r.method, r.token_kind, r.status) for r in fake_gitlab.requests()][-6:]
    assert tokens == [
        ("GET", "job", 200),
        ("GET", "job", 200),
        ("POST", None, 401),
        ("GET", None, 401),
        ("GET", None, 401),
        ("GET", None, 404),
    ]


def test_tokens_and_their_users(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_merge_request(PROJECT, 7, diff=DIFF)
    fake_gitlab.add_merge_request("acme/secret", 1)
    project_token = fake_gitlab.add_project_token(PROJECT, "glpat-project", role="reporter")
    fake_gitlab.add_project_token(PROJECT, "glpat-guest", role="guest")
    with client(fake_gitlab, "glpat-project") as gl:
        gl.auth()
        assert gl.user is not None
        assert (gl.user.username, gl.user.bot) == (project_token.user.username, True)
        gl.projects.get(PROJECT).mergerequests.get(7).notes.create({"body": "ok"})
        with pytest.raises(gitlab.GitlabGetError) as elsewhere:
            gl.projects.get("acme/secret")
        assert elsewhere.value.error_message == "404 Project Not Found"
    with client(fake_gitlab, "glpat-guest") as gl:
        with pytest.raises(gitlab.GitlabGetError) as guest:
            gl.projects.get(PROJECT).mergerequests.get(7)
        assert guest.value.response_code == 403
    with gitlab.Gitlab(fake_gitlab.url, oauth_token=FakeGitLab.OAUTH_TOKEN) as gl:
        gl.auth()
        assert gl.user is not None and (gl.user.username, gl.user.bot) == ("alice", False)
    with client(fake_gitlab, "glpat-nobody") as gl, pytest.raises(gitlab.GitlabAuthenticationError):
        gl.projects.get(PROJECT)
    assert [n.author.username for n in fake_gitlab.notes(7)] == [project_token.user.username]


def test_429_is_retried_after_retry_after(fake_gitlab: FakeGitLab, mr: ProjectMergeRequest) -> None:
    rule = fake_gitlab.inject(Fault.rate_limit(retry_after=1))
    mr.notes.create({"body": "summary"})
    first, second = fake_gitlab.writes()
    assert (first.status, first.outcome, second.status, rule.hits) == (
        429,
        "rate limit 429",
        201,
        1,
    )
    assert second.received_at - first.finished_at >= 0.9  # type: ignore[operator]
    assert [n.body for n in fake_gitlab.notes(7)] == ["summary"]


def test_429_gives_up_after_max_retries_or_when_not_obeyed(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    fake_gitlab.inject(Fault.rate_limit(retry_after=0), times=3)
    with pytest.raises(gitlab.GitlabCreateError) as exhausted:
        mr.notes.create({"body": "summary"}, max_retries=1)
    assert (exhausted.value.response_code, exhausted.value.response_body) == (429, b"Retry later\n")
    with pytest.raises(gitlab.GitlabCreateError):
        mr.notes.create({"body": "summary"}, obey_rate_limit=False)
    fake_gitlab.inject(Fault.notes_rate_limit())
    mr.notes.create({"body": "summary"})  # no Retry-After: backs off 0.1 s
    assert [w.status for w in fake_gitlab.writes()] == [429, 429, 429, 429, 201]
    assert len(fake_gitlab.notes(7)) == 1


def test_server_errors_are_retried_only_when_asked(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_merge_request(PROJECT, 7, diff=DIFF)
    fake_gitlab.inject(Fault.server_error(500))
    with client(fake_gitlab) as gl, pytest.raises(gitlab.GitlabCreateError) as failed:
        gl.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True).notes.create(
            {"body": "summary"}
        )
    assert (failed.value.response_code, failed.value.error_message) == (
        500,
        "500 Internal Server Error",
    )
    fake_gitlab.inject(Fault.server_error(502), times=2)
    with client(fake_gitlab, retry_transient_errors=True) as gl:
        gl.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True).notes.create(
            {"body": "summary"}
        )
    assert [w.status for w in fake_gitlab.writes()] == [500, 502, 502, 201]
    assert [n.body for n in fake_gitlab.notes(7)] == ["summary"]


def test_a_lost_answer_is_retried_into_a_duplicate(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_merge_request(PROJECT, 7, diff=DIFF)
    fake_gitlab.inject(Fault.lost_answer())
    with client(fake_gitlab, timeout=0.5, retry_transient_errors=True) as gl:
        gl.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True).notes.create(
            {"body": "summary"}
        )
    assert [w.outcome for w in fake_gitlab.writes()] == ["lost answer (201)", "ok"]
    assert [n.body for n in fake_gitlab.notes(7)] == ["summary", "summary"]


def test_a_hang_is_a_timeout(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_project(PROJECT)
    fake_gitlab.inject(Fault.hang(), on="reads")
    with client(fake_gitlab, timeout=0.5) as gl, pytest.raises(requests.exceptions.Timeout):
        gl.projects.get(PROJECT)
    assert [r.outcome for r in fake_gitlab.requests()] == ["hang"]


def test_a_sub_path_install_answers_with_sub_path_urls(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.add_merge_request(PROJECT, 7, diff=DIFF)
    for index in range(25):
        fake_gitlab.add_note(7, f"n{index}")
    with client(fake_gitlab, url=fake_gitlab.sub_path_url) as gl:
        merge_request = gl.projects.get(PROJECT).mergerequests.get(7)
        assert merge_request.web_url == f"{fake_gitlab.sub_path_url}/{PROJECT}/-/merge_requests/7"
        assert len(merge_request.notes.list(get_all=True)) == 25
    pages = fake_gitlab.requests(route="/notes$")
    assert [(p.prefix, p.path.startswith("/gitlab/api/v4/")) for p in pages] == [
        ("/gitlab", True),
        ("/gitlab", True),
    ]
    assert fake_gitlab.sub_path_api_url.startswith("http://127.0.0.1:")
    with pytest.raises(HTTPError) as elsewhere:
        urllib.request.urlopen(f"{fake_gitlab.url}/other/api/v4/projects/1")
    with elsewhere.value as page:
        assert page.code == 404 and "text/html" in page.headers["content-type"]


def test_pushes_add_versions_and_old_positions_stay_valid(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    old = position(mr, new_line=3)
    fake_gitlab.push(7, "f" * 40, diff=DIFF.replace("+y = 3", "+y = 4"))
    mr = mr.manager.gitlab.projects.get(PROJECT, lazy=True).mergerequests.get(7)
    assert mr.sha == "f" * 40 and mr.diff_refs["head_sha"] == "f" * 40
    assert [v.head_commit_sha for v in mr.diffs.list()] == ["f" * 40, old["head_sha"]]
    mr.discussions.create({"body": "on the old version", "position": old})
    mr.discussions.create({"body": "on the new one", "position": position(mr, new_line=3)})
    assert [n.system for n in fake_gitlab.notes(7)] == [True, False, False]
    system = fake_gitlab.discussions(7)[0]
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        mr.discussions.get(system.id, lazy=True).notes.create({"body": "a reply"})
    assert refused.value.error_message == "400 Bad request - Discussion can not be replied to."
    with pytest.raises(gitlab.GitlabUpdateError) as frozen:
        mr.notes.update(system.notes[0].id, {"body": "rewritten"})
    assert frozen.value.response_code == 403


def test_only_the_author_or_a_maintainer_edits_a_note(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    theirs = fake_gitlab.add_note(7, "by bob")
    with pytest.raises(gitlab.GitlabUpdateError) as refused:
        mr.notes.update(theirs.id, {"body": "by the bot"})
    assert (refused.value.response_code, refused.value.error_message) == (403, "403 Forbidden")
    with pytest.raises(gitlab.GitlabDeleteError):
        mr.notes.delete(theirs.id)
    with client(fake_gitlab, FakeGitLab.USER_TOKEN) as maintainer:
        project = maintainer.projects.get(PROJECT, lazy=True)
        project.mergerequests.get(7, lazy=True).notes.update(theirs.id, {"body": "by alice"})
    assert [n.body for n in fake_gitlab.notes(7)] == ["by alice"]


def test_forks_and_form_encoded_positions(fake_gitlab: FakeGitLab) -> None:
    created = fake_gitlab.add_merge_request(PROJECT, 4, diff=DIFF, source_project="someone/widgets")
    refs = created.version
    form = {
        "body": "from curl",
        "position[position_type]": "text",
        "position[base_sha]": refs.base_sha,
        "position[start_sha]": refs.start_sha,
        "position[head_sha]": refs.head_sha,
        "position[new_path]": "app.py",
        "position[old_path]": "app.py",
        "position[new_line]": "3",
    }
    url = f"{fake_gitlab.api_url}/projects/{created.project.id}/merge_requests/4/discussions"
    answer = requests.post(url, data=form, headers={"PRIVATE-TOKEN": FakeGitLab.BOT_TOKEN})
    assert answer.status_code == 201
    assert answer.json()["notes"][0]["position"]["new_line"] == 3
    with client(fake_gitlab) as gl:
        merge_request = gl.projects.get(PROJECT).mergerequests.get(4)
        assert merge_request.source_project_id != merge_request.target_project_id
        assert merge_request.allow_collaboration is False


def test_unserved_endpoints_are_404s_naming_the_request(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    with pytest.raises(gitlab.GitlabError) as missing:
        mr.approve()
    assert body_of(missing.value) == {
        "error": "404 Not Found",
        "fake": "POST /api/v4/projects/acme%2Fwidgets/merge_requests/7/approve is not served "
        "by the fake GitLab",
    }
    assert fake_gitlab.requests()[-1].outcome == "unserved"


@pytest.mark.parametrize("kind", ["truncated", "malformed"])
def test_a_damaged_answer_after_the_request_was_carried_out(
    fake_gitlab: FakeGitLab, kind: str
) -> None:
    fake_gitlab.add_merge_request(PROJECT, 7, diff=DIFF)
    fault = Fault.truncated() if kind == "truncated" else Fault.malformed()
    fake_gitlab.inject(fault)
    with client(fake_gitlab, retry_transient_errors=True) as gl:
        notes = gl.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True).notes
        if kind == "truncated":  # retried like a reset: the note is created twice
            notes.create({"body": "summary"})
        else:  # an answer that is not JSON is never retried
            with pytest.raises(gitlab.GitlabParsingError):
                notes.create({"body": "summary"})
    bodies = [n.body for n in fake_gitlab.notes(7)]
    assert bodies == (["summary", "summary"] if kind == "truncated" else ["summary"])
    assert fake_gitlab.writes()[0].outcome == f"{kind} answer (201)"


def test_a_gitlab_without_draft_notes_and_a_refused_position(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    fake_gitlab.inject(Fault.no_route(), on="any", path="/draft_notes$")
    with pytest.raises(gitlab.GitlabCreateError) as missing:
        mr.draft_notes.create({"note": "n", "position": position(mr, new_line=3)})
    assert (missing.value.response_code, body_of(missing.value)) == (
        404,
        {"error": "404 Not Found"},
    )
    fake_gitlab.inject(Fault.not_allowed(), on="any", path="/draft_notes$")
    with pytest.raises(gitlab.GitlabListError) as not_allowed:
        mr.draft_notes.list()
    assert not_allowed.value.response_code == 405
    fake_gitlab.inject(Fault.invalid_position(), path="/draft_notes$")
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        mr.draft_notes.create({"note": "n", "position": position(mr, new_line=3)})
    assert body_of(refused.value) == {"message": {"position": ["must be a valid json schema"]}}
    fake_gitlab.inject(Fault.insufficient_scope())
    with pytest.raises(gitlab.GitlabCreateError) as scope:
        mr.notes.create({"body": "summary"})
    assert (scope.value.response_code, body_of(scope.value)["error"]) == (
        403,
        "insufficient_scope",
    )
    assert fake_gitlab.draft_notes(7) == [] and fake_gitlab.notes(7) == []


def test_a_member_inherited_or_direct_has_its_access_level_and_others_are_404s(
    fake_gitlab: FakeGitLab, mr: ProjectMergeRequest
) -> None:
    fake_gitlab.add_member(PROJECT, "carol", "reporter")
    fake_gitlab.add_member(PROJECT, "dave", "developer")
    fake_gitlab.remove_member(PROJECT, "dave")
    users = {name: fake_gitlab.add_user(name) for name in ("alice", "carol", "dave")}
    with client(fake_gitlab) as gl:
        members = gl.projects.get(PROJECT, lazy=True).members_all

        alice = members.get(users["alice"].id)  # Maintainer everywhere
        carol = members.get(users["carol"].id)
        with pytest.raises(gitlab.GitlabGetError) as caught:
            members.get(users["dave"].id)

    assert (alice.username, alice.access_level) == ("alice", 40)
    assert (carol.username, carol.access_level, carol.membership_state) == ("carol", 20, "active")
    assert caught.value.response_code == 404
    assert body_of(caught.value) == {"message": "404 Not found"}
    [asked, *_] = fake_gitlab.requests(route="/members/all/")
    assert asked.route == f"/projects/{mr.project_id}/members/all/{users['alice'].id}"
