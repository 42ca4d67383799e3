"""The fault matrix on GitLab: every call `baton review` makes in a merge request pipeline
crossed with every way GitLab (or the network to it) fails once, against the fake GitLab and
real python-gitlab.

Each row must leave the review as it would be without the fault: no traceback, the same exit
code, verdict and findings, one summary note listing every finding, each line discussion once,
no draft note left behind, and no warning (the fault was waited out or retried away). A
GitLab without the Draft Notes API gets the same discussions, posted directly; a position
GitLab refuses moves that finding into the note. Rows where GitLab refuses every write leave
the review in the job log (stdout), with a warning. Before the review, baton recalls what its
earlier runs left (the first `GET /user`, `GET /notes` and `GET /discussions`, and in the rerun
the access level of the person who replied in baton's discussion); publishing reads them again.
See tests/platforms/fault_matrix.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gitlab
import pytest

from baton.render.markdown import MARKER
from tests.fakes.baton_cli import Completed, run_baton
from tests.fakes.gitlab_api import FakeGitLab, Fault, RecordedRequest
from tests.fakes.gitlab_state import MergeRequest
from tests.platforms.fault_matrix import (
    CONFIG,
    FIXED,
    TIMEOUT,
    Call,
    Change,
    Row,
    Scenario,
    assert_same_review,
    checkout,
    earlier_summary,
    fingerprints,
    once_per_scenario,
    report_of,
)

PROJECT = "acme/app"
DRAFTS = Call("GET /draft_notes", "job", "GET", r"/merge_requests/7/draft_notes$")
CREATE_DRAFT = Call("POST /draft_notes", "job", "POST", r"/merge_requests/7/draft_notes$")
PUBLISH = Call("POST /draft_notes/bulk_publish", "job", "POST", r"/draft_notes/bulk_publish$")
CALLS = [
    Call("GET /user (recall)", "job", "GET", r"^/user$"),
    Call("GET /notes (recall)", "job", "GET", r"/merge_requests/7/notes$"),
    Call("GET /discussions (recall)", "job", "GET", r"/merge_requests/7/discussions$"),
    Call("GET /members/all/:id (recall)", "rerun", "GET", r"/members/all/\d+$"),
    Call("GET /user", "job", "GET", r"^/user$", after=1),
    Call("GET /merge_requests/7", "job", "GET", r"/merge_requests/7$"),
    Call("GET /notes", "job", "GET", r"/merge_requests/7/notes$", after=1),
    DRAFTS,
    CREATE_DRAFT,
    PUBLISH,
    Call("GET /discussions", "job", "GET", r"/merge_requests/7/discussions$", after=1),
    Call("POST /notes", "job", "POST", r"/merge_requests/7/notes$"),
    Call("PUT /notes/:id", "rerun", "PUT", r"/merge_requests/7/notes/\d+$"),
    Call("PUT /discussions/:id", "rerun", "PUT", r"/merge_requests/7/discussions/\w+$"),
    Call("GET /diffs", "shallow", "GET", r"/merge_requests/7/diffs$"),
    Call("GET /repository/files/.baton.toml", "shallow", "GET", r"/files/\.baton\.toml$"),
    Call("GET /repository/tree", "shallow", "GET", r"/repository/tree$"),
]
FAULTS: dict[str, Callable[[], Fault]] = {
    "429 retry-after": lambda: Fault.rate_limit(retry_after=1),
    "502": lambda: Fault.server_error(502),
    "reset": Fault.reset,
    "hang": Fault.hang,
    "truncated": Fault.truncated,
    "malformed": Fault.malformed,
    "answer lost": Fault.lost_answer,
    "404 (optional)": Fault.no_route,
    "405 (optional)": Fault.not_allowed,
    "400 position": Fault.invalid_position,
    "403 on every write": Fault.insufficient_scope,
}
ONCE = ("429 retry-after", "502", "reset", "hang", "truncated", "malformed", "answer lost")
EVERY_WRITE = Call("every write", "job", "POST", r".")
ROWS = [
    *(
        Row(call, fault)
        for call in CALLS
        for fault in ONCE
        if not (call is PUBLISH and fault in ("truncated", "malformed"))  # 204: no body
    ),
    *(
        Row(call, f"{code} (optional)", times=100)
        for call in (DRAFTS, CREATE_DRAFT, PUBLISH)
        for code in (404, 405)
    ),
    Row(CREATE_DRAFT, "400 position", refused=1),
    Row(EVERY_WRITE, "403 on every write", times=100, posted=False),
]


@dataclass
class Outcome:
    done: Completed
    report: dict[str, Any]
    summaries: list[str]
    """Bodies of baton's summary notes."""
    threads: list[tuple[str, int]]
    """Where baton's line discussions are (path, new line)."""
    drafts: list[str]
    """Bodies of the draft notes left unpublished."""
    fixed_resolved: bool
    hits: int
    requests: list[RecordedRequest]


def run_job(
    tmp: Path,
    change: Change,
    scenario: Scenario,
    row: Row | None = None,
    *,
    prepare: Callable[[FakeGitLab, MergeRequest], None] | None = None,
    env: dict[str, str] | None = None,
) -> Outcome:
    """`baton review` in a merge request pipeline for !7, with `row`'s fault planned (and
    whatever `prepare` does to the fake GitLab first), with `env` added to the job's."""
    base, head = change.base, change.head
    with FakeGitLab() as fake:
        mr = fake.add_merge_request(PROJECT, 7, diff=change.diff, base_sha=base, head_sha=head)
        fake.add_file(PROJECT, ".baton.toml", CONFIG, ref=base)
        bot = _seed(fake, earlier=scenario == "rerun")
        if prepare is not None:
            prepare(fake, mr)
        rule = None
        if row is not None:
            fault = FAULTS[row.fault]()
            call = row.call
            rule = fake.inject(
                fault, times=row.times, on=call.scope, path=call.route, after=call.after
            )
        cwd = checkout(change, scenario, tmp)
        job_env = {
            "GITLAB_CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_API_V4_URL": fake.api_url,
            "CI_SERVER_URL": fake.url,
            "CI_PROJECT_ID": str(mr.project.id),
            "CI_MERGE_REQUEST_PROJECT_ID": str(mr.project.id),
            "CI_MERGE_REQUEST_PROJECT_URL": f"{fake.url}/{PROJECT}",
            "CI_MERGE_REQUEST_IID": "7",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
            "CI_COMMIT_SHA": head,
            "CI_JOB_TOKEN": FakeGitLab.JOB_TOKEN,
            "GITLAB_TOKEN": FakeGitLab.BOT_TOKEN,
            **TIMEOUT,
            **(env or {}),
        }
        done = run_baton("review", cwd=cwd, env=job_env, timeout=120)
        notes = fake.notes(mr)
        summaries = [n.body for n in notes if n.body.startswith(MARKER) and n.author.id == bot]
        threads = sorted(
            (d.notes[0].position["new_path"], d.notes[0].position["new_line"])
            for d in fake.discussions(mr)
            if d.notes[0].position
        )
        fixed = [d for d in fake.discussions(mr) if FIXED in d.notes[0].body]
        drafts = [d.note for d in fake.draft_notes(mr)]
        requests = fake.requests()
    hits = rule.hits if rule is not None else 0
    resolved = all(d.resolved for d in fixed)
    return Outcome(done, report_of(cwd), summaries, threads, drafts, resolved, hits, requests)


def _seed(fake: FakeGitLab, *, earlier: bool) -> int:
    """The id of baton's GitLab user; with `earlier`, the summary note of an earlier run and
    its discussion of the finding `FIXED` (resolvable, open), written as baton writes them,
    with a Maintainer's reply (whose access baton reads when it recalls the replies)."""
    with gitlab.Gitlab(fake.url, private_token=FakeGitLab.BOT_TOKEN) as client:
        client.auth()
        assert client.user is not None
        if earlier:
            mr = client.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True)
            mr.notes.create({"body": earlier_summary("0" * 40)})
            body = f"A finding.\n\n<!-- baton:inline {FIXED} -->\n"
            discussion = mr.discussions.create({"body": body}).id
        bot = int(client.user.id)
    if earlier:
        with gitlab.Gitlab(fake.url, private_token=FakeGitLab.USER_TOKEN) as person:
            mr = person.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True)
            thread = mr.discussions.get(discussion, lazy=True)
            thread.notes.create({"body": "Fixed in the next push."})
    return bot


@pytest.fixture(scope="module")
def baseline(
    tmp_path_factory: pytest.TempPathFactory, matrix_change: Change
) -> Callable[[Scenario], Outcome]:
    """The same job without the fault."""
    return once_per_scenario(tmp_path_factory, matrix_change, run_job)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_a_fault_at_one_call_changes_nothing_but_time(
    row: Row, baseline: Callable[[Scenario], Outcome], matrix_change: Change, tmp_path: Path
) -> None:
    expected = baseline(row.call.scenario)
    got = run_job(tmp_path, matrix_change, row.call.scenario, row)

    findings = assert_same_review(got, expected)
    assert got.drafts == []
    if not row.posted:
        assert got.threads == [] and got.summaries == []
        assert "warning:" in got.done.stderr
        return
    assert len(got.summaries) == 1, got.done.stderr
    assert fingerprints(got.summaries[0]) == findings
    assert len(expected.threads) == 2
    assert len(got.threads) == 2 - row.refused
    assert set(got.threads) <= set(expected.threads)
    assert got.fixed_resolved
    if row.refused:
        assert "could not be placed on their line by GitLab" in got.summaries[0]
    assert "warning:" not in got.done.stderr, got.done.stderr
