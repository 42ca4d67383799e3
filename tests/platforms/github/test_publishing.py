"""Publishing on GitHub when a call keeps failing: the review is never dropped.

A review GitHub refuses leaves its findings in the summary comment, which says the inline
comments were not posted; a summary GitHub refuses is still in the step summary and the job
log; every failure is one warning, the exit code is the review's. Real `baton review`, real
PyGithub, the fake GitHub (see test_fault_matrix.py for one-off faults at every call).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.fakes.github_api import FakeGitHub, Fault
from tests.fakes.github_state import Pull
from tests.platforms.fault_matrix import (
    Change,
    assert_clean,
    fingerprints,
    logged_review,
    reviewed,
)
from tests.platforms.github.test_fault_matrix import Outcome, run_job

REVIEWS = r"/pulls/7/reviews$"


def job(tmp: Path, change: Change, fault: Fault, path: str, method: str = "POST") -> Outcome:
    def prepare(fake: FakeGitHub, pull: Pull) -> None:
        fake.inject(fault, times=100, on="any", path=path, method=method)

    got = run_job(tmp, change, "job", prepare=prepare)
    assert_clean(got.done)
    assert got.done.code == 1
    assert fingerprints(got.step_summary) == reviewed(got.report)[1]
    return got


def test_a_review_github_refuses_leaves_the_summary_saying_so(
    matrix_change: Change, tmp_path: Path
) -> None:
    got = job(tmp_path, matrix_change, Fault.not_found(), REVIEWS)

    assert got.inline == [] and got.reviews == 0
    [summary] = got.summaries
    assert fingerprints(summary) == reviewed(got.report)[1]
    assert "2 inline comments were not posted (GitHub API error 404: Not Found)" in summary
    assert "warning: inline review not posted: GitHub API error 404" in got.done.stderr


def test_a_rate_limit_reset_beyond_the_longest_wait_is_not_waited_for(
    matrix_change: Change, tmp_path: Path
) -> None:
    got = job(tmp_path, matrix_change, Fault.primary_rate_limit(reset_in=3600), REVIEWS)

    assert len([r for r in got.requests if r.method == "POST" and "reviews" in r.route]) == 1
    [summary] = got.summaries
    assert "2 inline comments were not posted (GitHub API error 403: API rate limit" in summary
    assert re.search(r"\(resets in 360[01] s; baton waits 120 s\)", summary)


def test_comments_that_cannot_be_read_skip_inline_but_not_the_summary(
    matrix_change: Change, tmp_path: Path
) -> None:
    got = job(tmp_path, matrix_change, Fault.server_error(502), r"/issues/7/comments$", "GET")

    assert got.inline == [] and got.reviews == 0
    [summary] = got.summaries
    assert "inline comments were not posted: earlier comments could not be read" in summary
    assert "warning: baton's earlier comments could not be read" in got.done.stderr


def test_a_summary_github_refuses_is_in_the_step_summary_and_the_log(
    matrix_change: Change, tmp_path: Path
) -> None:
    got = job(tmp_path, matrix_change, Fault.not_found(), r"/issues/7/comments$")

    assert got.summaries == []
    assert len(got.inline) == 2
    assert "warning: summary comment not posted: GitHub API error 404" in got.done.stderr
    assert fingerprints(logged_review(got.done.stdout)) == reviewed(got.report)[1]


def test_a_bad_api_timeout_is_a_usage_error(matrix_change: Change, tmp_path: Path) -> None:
    got = run_job(tmp_path, matrix_change, "job", env={"PLATFORM_API_TIMEOUT": "soon"})

    assert got.done.code == 2
    assert (
        got.done.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "PLATFORM_API_TIMEOUT must be a number of seconds above 0 and at most 600, not 'soon'"
        )
    )
    assert got.requests == []
