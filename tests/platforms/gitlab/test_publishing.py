"""Publishing on GitLab when a call keeps failing: the review is never dropped, and no draft
note of baton's is left for a later bulk publish to post.

Real `baton review`, real python-gitlab, the fake GitLab (see test_fault_matrix.py for
one-off faults at every call).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gitlab

from baton.render.markdown import MARKER
from tests.fakes.gitlab_api import FakeGitLab, Fault
from tests.fakes.gitlab_state import MergeRequest
from tests.platforms.fault_matrix import (
    Change,
    assert_clean,
    fingerprints,
    logged_review,
    reviewed,
)
from tests.platforms.gitlab.test_fault_matrix import PROJECT, Outcome, run_job

DRAFTS = r"/merge_requests/7/draft_notes$"
Prepare = Callable[[FakeGitLab, MergeRequest], None]


def job(tmp: Path, change: Change, prepare: Prepare) -> Outcome:
    got = run_job(tmp, change, "job", prepare=prepare)
    assert_clean(got.done)
    assert got.done.code == 1
    assert fingerprints(logged_review(got.done.stdout)) == reviewed(got.report)[1]
    assert got.drafts == [] or all("baton:inline" not in d for d in got.drafts)
    return got


def failing(fault: Fault, path: str, *, method: str = "POST", after: int = 0) -> Prepare:
    def prepare(fake: FakeGitLab, mr: MergeRequest) -> None:
        fake.inject(fault, times=100, on="any", path=path, method=method, after=after)

    return prepare


def test_a_failed_batch_deletes_its_drafts_and_lists_its_findings_in_the_note(
    matrix_change: Change, tmp_path: Path
) -> None:
    got = job(tmp_path, matrix_change, failing(Fault.server_error(502), DRAFTS, after=1))

    assert got.threads == [] and got.drafts == []
    deleted = [r for r in got.requests if r.method == "DELETE" and "/draft_notes/" in r.route]
    assert [r.status for r in deleted] == [204]  # the one draft created before the failure
    [note] = got.summaries
    assert fingerprints(note) == reviewed(got.report)[1]
    assert "2 findings were not posted on their lines (GitLab API error 502" in note
    assert "warning: line discussions not posted: GitLab API error 502" in got.done.stderr


def test_a_bulk_publish_that_keeps_failing_leaves_no_draft(
    matrix_change: Change, tmp_path: Path
) -> None:
    got = job(tmp_path, matrix_change, failing(Fault.server_error(503), r"/bulk_publish$"))

    assert got.threads == [] and got.drafts == []
    [note] = got.summaries
    assert "2 findings were not posted on their lines" in note


def test_without_draft_notes_a_position_gitlab_refuses_lands_in_the_note(
    matrix_change: Change, tmp_path: Path
) -> None:
    """An older GitLab (no Draft Notes API) whose diff lacks app/util.py: the discussion on it
    is refused (400), the other is posted directly, and the note lists the refused one."""

    def prepare(fake: FakeGitLab, mr: MergeRequest) -> None:
        fake.inject(Fault.no_route(), times=100, on="any", path=r"/draft_notes")
        only_keys = "".join(matrix_change.diff.partition("diff --git a/app/util.py")[:1])
        fake.push(mr, "f" * 40, diff=only_keys)

    got = job(tmp_path, matrix_change, prepare)

    assert got.threads == [("app/keys.py", 1)]
    refused = [r for r in got.requests if r.method == "POST" and r.route.endswith("/discussions")]
    assert [r.status for r in refused] == [201, 400]
    [note] = got.summaries
    assert "1 findings could not be placed on their line by GitLab" in note
    assert "warning:" not in got.done.stderr


def test_stale_drafts_of_batons_go_and_a_persons_own_are_not_published(
    matrix_change: Change, tmp_path: Path
) -> None:
    def prepare(fake: FakeGitLab, mr: MergeRequest) -> None:
        with gitlab.Gitlab(fake.url, private_token=FakeGitLab.BOT_TOKEN) as client:
            drafts = client.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True)
            drafts.draft_notes.create({"note": "stale\n\n<!-- baton:inline 00ff -->\n"})
            drafts.draft_notes.create({"note": "my own pending review"})

    got = job(tmp_path, matrix_change, prepare)

    assert got.drafts == ["my own pending review"]
    assert len(got.threads) == 2
    assert not any(r.route.endswith("/bulk_publish") for r in got.requests)
    published = [r for r in got.requests if r.route.endswith("/publish")]
    assert [r.method for r in published] == ["PUT", "PUT"]
    assert "warning:" not in got.done.stderr


def test_an_unknown_user_skips_line_discussions_but_not_the_note(
    matrix_change: Change, tmp_path: Path
) -> None:
    got = job(tmp_path, matrix_change, failing(Fault.server_error(502), r"^/user$", method="GET"))

    assert got.threads == []
    [note] = got.summaries
    assert "findings were not posted on their lines: earlier notes could not be read" in note
    assert "warning: the token's user could not be read: GitLab API error 502" in got.done.stderr


def test_an_older_note_that_cannot_be_deleted_is_a_warning(
    matrix_change: Change, tmp_path: Path
) -> None:
    def prepare(fake: FakeGitLab, mr: MergeRequest) -> None:
        with gitlab.Gitlab(fake.url, private_token=FakeGitLab.BOT_TOKEN) as client:
            notes = client.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True).notes
            for copy in ("first", "second"):
                notes.create({"body": f"{MARKER}\n{copy}"})
        fake.inject(
            Fault.server_error(500), times=100, on="writes", path=r"/notes/\d+$", method="DELETE"
        )

    got = job(tmp_path, matrix_change, prepare)

    assert len(got.summaries) == 2
    assert fingerprints(got.summaries[0]) == reviewed(got.report)[1]
    assert got.summaries[1] == f"{MARKER}\nsecond"
    assert "warning: an older summary note was not deleted: GitLab API error 500" in got.done.stderr
