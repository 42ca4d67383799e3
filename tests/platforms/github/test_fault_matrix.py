"""The fault matrix on GitHub: every call `baton review` makes in an Actions job crossed with
every way GitHub (or the network to it) fails once, against the fake GitHub and real PyGithub.

Each row must leave the review as it would be without the fault: no traceback, the same exit
code, verdict and findings, one summary comment listing every finding, each inline comment
once, the step summary written and no warning (the fault was waited out or retried away).
Rows where GitHub refuses every write leave the review in the step summary and on stdout (the
job log), with a warning. Before the review, baton recalls what its earlier runs left (the
first `GET /user` and `GET /issues/7/comments`, and `GET /pulls/7/comments`); publishing reads
the comments again. In the rerun, baton's review thread of the fixed finding (with a reply) is
resolved through GraphQL: the threads query, then the mutation. See
tests/platforms/fault_matrix.py for the scenarios.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from baton.render.markdown import MARKER
from tests.fakes.baton_cli import Completed, run_baton
from tests.fakes.github_api import FakeGitHub, Fault, RecordedRequest
from tests.fakes.github_state import Pull
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

REPO = "acme/app"
BOT = "github-actions[bot]"

USER = Call("GET /user", "job", "GET", r"^/user$")
THREADS = Call("POST /graphql reviewThreads", "rerun", "POST", r"^/graphql$")
RESOLVE = Call("POST /graphql resolveReviewThread", "rerun", "POST", r"^/graphql$", after=1)
REVIEW = Call("POST /pulls/7/reviews", "job", "POST", r"/pulls/7/reviews$")
CALLS = [
    USER,
    Call("GET /issues/7/comments (recall)", "job", "GET", r"/issues/7/comments$"),
    Call("GET /pulls/7/comments (recall)", "job", "GET", r"/pulls/7/comments$"),
    Call("GET /issues/7/comments", "job", "GET", r"/issues/7/comments$", after=1),
    REVIEW,
    Call("POST /issues/7/comments", "job", "POST", r"/issues/7/comments$"),
    Call("PATCH /issues/comments/:id", "rerun", "PATCH", r"/issues/comments/\d+$"),
    Call("GET /pulls/7/files", "shallow", "GET", r"/pulls/7/files$"),
    Call("GET /repos/acme/app", "shallow", "GET", r"^/repos/acme/app$"),
    Call("GET /contents/.baton.toml", "shallow", "GET", r"/contents/\.baton\.toml$"),
    Call("GET /contents/.claude/agents", "shallow", "GET", r"/contents/\.claude/agents$"),
]
FAULTS: dict[str, Callable[[], Fault]] = {
    "429 retry-after": lambda: Fault.secondary_rate_limit(retry_after=1, status=429),
    "403 secondary limit, retry-after": lambda: Fault.secondary_rate_limit(retry_after=1),
    "403 secondary limit, remaining 0": lambda: Fault.secondary_rate_limit(None, reset_in=0),
    "429 secondary limit, remaining 0": lambda: Fault.secondary_rate_limit(
        None, status=429, reset_in=0
    ),
    "502": lambda: Fault.server_error(502),
    "reset": Fault.reset,
    "hang": Fault.hang,
    "truncated": Fault.truncated,
    "malformed": Fault.malformed,
    "answer lost": Fault.lost_answer,
    "404 (optional)": Fault.not_found,
    "403 on every write": Fault.not_accessible,
}
EVERY_WRITE = Call("every write", "job", "POST", r".")
EVERY_CALL = (
    "429 retry-after",
    "403 secondary limit, retry-after",
    "403 secondary limit, remaining 0",
    "502",
    "reset",
    "hang",
    "truncated",
    "malformed",
    "answer lost",
)
GRAPHQL = ("429 retry-after", "502", "reset", "hang", "truncated", "malformed", "answer lost")
ROWS = [
    *(Row(call, fault) for call in CALLS for fault in EVERY_CALL),
    *(Row(call, fault) for call in (THREADS, RESOLVE) for fault in GRAPHQL),
    Row(REVIEW, "429 secondary limit, remaining 0"),
    Row(USER, "404 (optional)"),
    Row(EVERY_WRITE, "403 on every write", times=100, posted=False),
]


@dataclass
class Outcome:
    done: Completed
    report: dict[str, Any]
    summaries: list[str]
    """Bodies of baton's summary comments."""
    inline: list[tuple[str, int]]
    """Where this run's inline comments are (path, line)."""
    reviews: int
    """Reviews this run posted."""
    fixed_resolved: bool
    """baton's thread of the fixed finding is resolved (rerun), or there is none."""
    step_summary: str
    hits: int
    requests: list[RecordedRequest]


def run_job(
    tmp: Path,
    change: Change,
    scenario: Scenario,
    row: Row | None = None,
    *,
    prepare: Callable[[FakeGitHub, Pull], None] | None = None,
    env: dict[str, str] | None = None,
) -> Outcome:
    """`baton review` in an Actions job for pull request 7, with `row`'s fault planned (and
    whatever `prepare` does to the fake GitHub first), with `env` added to the job's."""
    base, head = change.base, change.head
    with FakeGitHub() as fake:
        pull = fake.add_pull(REPO, 7, diff=change.diff, head_sha=head, base_sha=base)
        fake.add_file(REPO, ".baton.toml", CONFIG, ref=base)
        fixed = _seed(fake, pull, base, earlier=scenario == "rerun")
        seeded = {c.id for c in fake.review_comments(pull)}
        if prepare is not None:
            prepare(fake, pull)
        rule = None
        if row is not None:
            fault = FAULTS[row.fault]()
            call = row.call
            rule = fake.inject(
                fault, times=row.times, on=call.scope, path=call.route, after=call.after
            )
        cwd = checkout(change, scenario, tmp)
        event = {
            "action": "synchronize",
            "pull_request": {
                "number": 7,
                "title": "Change",
                "base": {"sha": base, "ref": "main", "repo": {"full_name": REPO}},
                "head": {"sha": head, "ref": "feature", "repo": {"full_name": REPO}},
            },
        }
        (tmp / "event.json").write_text(json.dumps(event))
        job_env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(tmp / "event.json"),
            "GITHUB_API_URL": fake.url,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_SHA": "0" * 40,
            "GITHUB_OUTPUT": str(tmp / "github_output"),
            "GITHUB_STEP_SUMMARY": str(tmp / "step_summary.md"),
            "INPUT_GITHUB_TOKEN": FakeGitHub.ACTIONS_TOKEN,
            **TIMEOUT,
            **(env or {}),
        }
        done = run_baton("review", cwd=cwd, env=job_env, timeout=120)
        summaries = [
            c.body for c in fake.comments(pull) if c.body.startswith(MARKER) and c.user.login == BOT
        ]
        posted = [c for c in fake.review_comments(pull) if c.id not in seeded]
        inline = sorted((c.path, c.line) for c in posted)
        reviews = len({c.review_id for c in posted})
        resolved = fixed is None or fixed in fake.resolved_threads(pull)
        requests = fake.requests()
    summary_file = tmp / "step_summary.md"
    step_summary = summary_file.read_text() if summary_file.exists() else ""
    hits = rule.hits if rule is not None else 0
    report = report_of(cwd)
    return Outcome(done, report, summaries, inline, reviews, resolved, step_summary, hits, requests)


def _seed(fake: FakeGitHub, pull: Pull, base: str, *, earlier: bool) -> int | None:
    """With `earlier`: the summary comment of an earlier run and its inline comment on the
    finding `FIXED`, with a maintainer's reply; the id of that thread's top comment."""
    if not earlier:
        return None
    fake.add_comment(pull, earlier_summary(base), author=BOT)
    body = f"A finding.\n\n<!-- baton:inline {FIXED} -->\n"
    top = fake.add_review_comment(pull, "app/keys.py", 1, body, author=BOT)
    fake.set_association(REPO, "maintainer", "MEMBER")
    fake.add_reply(pull, top, "Fixed in the next push.", author="maintainer")
    return top.id


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
    assert fingerprints(got.step_summary) == findings
    if not row.posted:
        assert got.summaries == [] and got.inline == []
        assert "warning:" in got.done.stderr
        return
    assert len(got.summaries) == 1, got.done.stderr
    assert fingerprints(got.summaries[0]) == findings
    assert got.inline == expected.inline and len(got.inline) == 2
    assert got.reviews == expected.reviews == 1
    assert got.fixed_resolved and expected.fixed_resolved
    assert "warning:" not in got.done.stderr, got.done.stderr
