"""A review split over `parallel:` jobs and merged by the `merge` component, run for real by
gitlab-ci-local 4.73.0.

Each test builds a repository whose `.gitlab-ci.yml` includes the `review` component (a local
file, with inputs) and the `merge` component, and sets `baton-review: {parallel: 2}` on the
included job as a user does; the fake GitLab holds the merge request. The two shard jobs run
`baton review` as shard CI_NODE_INDEX/CI_NODE_TOTAL, keep their reports in `.baton/shard-K/` as
artifacts and post nothing; `baton-merge` takes both jobs' artifacts (`needs:`), runs
`baton merge .baton` and posts the one note and its discussions. A shard job that leaves no
report makes the merged review incomplete, none at all fails the merge job, and never is it a
pass; reports the change itself commits where the shard jobs write theirs must not be one
either (an expected failure until baton checks that the shards name the job's head).

What gitlab-ci-local does differently from GitLab here, besides what test_pipeline.py lists:
* The parallel jobs are named `baton-review: [1/2]` and `baton-review: [2/2]` (GitLab:
  `baton-review 1/2`); CI_NODE_INDEX and CI_NODE_TOTAL are set as on GitLab (CI_NODE_TOTAL is 1
  in other jobs). Their folders under `.gitlab-ci-local` have base64url-encoded names
  (`baton-reviewOiBb1Lw2XQ`, see `safe_name`), and every job's lines are padded to the longest
  name.
* `needs: [{job: baton-review, artifacts: true}]` names both parallel jobs, as on GitLab: the
  merge job waits for both, then (`--shell-isolation`) rsyncs each one's exported artifacts,
  `.gitlab-ci-local/artifacts/<safe name>/`, over its own fresh copy of the tracked files in
  `.gitlab-ci-local/builds/baton-merge`, before its script; a GitLab runner downloads and
  extracts them into its clone. Both `shard-K/` folders land side by side in `.baton/`.
* It also copies every job's artifacts back into the project directory (`artifacts-to-source`,
  on by default). A job's build folder gets only tracked files (everything `git ls-files -o`
  lists is excluded), so those copies never reach the merge job: it sees what `needs:` brings.
* On GitLab a job whose needed job failed starts only with `when: always`; a shard job with a
  blocking finding fails (exit 1), so the merge job's rule says `when: always`. gitlab-ci-local
  takes any `allow_failure:`, `exit_codes: [3]` included, for "may fail" when it decides whether
  later jobs start, so it would start the merge job without that rule too; with no
  `allow_failure` it skips it as GitLab does. The leaked-key test therefore sets
  `allow_failure: false` on the shard jobs (exit 1 fails them either way) and shows the merge
  job running after a failed shard job.
* `after_script` runs in a fresh copy of the tracked files, not in the script's working tree,
  and the job then exports no artifacts at all ("no artifacts was copied"); on GitLab it runs in
  the same tree and the artifacts are uploaded after it. So the tests that lose a shard's report
  do not delete it in an `after_script`: a bandit that kills baton in a shard job (as an OOM
  kill or a cancelled job would) stops it before it writes any report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from baton.change.parse import parse_diff
from baton.gate import GateResult, Verdict
from baton.report import Review
from baton.settings import FailOn
from baton.shards.plan import ShardRecord, plan_digest
from tests.fakes.gitlab_api import FakeGitLab
from tests.gitlab_ci.gitlab_ci_local import Pipeline, parallel_job
from tests.gitlab_ci.merge_request import (
    AWS_KEY,
    CLEAN,
    IID,
    LEAKED_KEY,
    TWO_CLEAN_FILES,
    MergeRequestPipeline,
    sharded_ci,
)
from tests.gitlab_ci.templates import JOB, MERGE_JOB

pytestmark = pytest.mark.gitlab_ci

SHARDS = [parallel_job(JOB, index, 2) for index in (1, 2)]
INCOMPLETE = "baton: the review is incomplete (exit 3) and allow_failure_on_incomplete is false"


def bandit_killing(tmp_path: Path, *shards: int) -> dict[str, str]:
    """bandit, except in `shards`, where it kills baton (its parent) before any report is
    written."""
    bandit = Path(sys.executable).parent / "bandit"
    script = tmp_path / "bandit-killing-shards"
    script.write_text(
        "#!/bin/sh\n"
        f'case " {" ".join(map(str, shards))} " in *" $CI_NODE_INDEX "*)\n'
        '    kill -KILL "$PPID"; exit 137;;\n'
        "esac\n"
        f'exec "{bandit}" "$@"\n'
    )
    script.chmod(0o755)
    return {"BATON_TOOLS__BANDIT": str(script)}


def forged_report(index: int, plan: str) -> str:
    """A passing report of shard `index`/2 as a change can commit it: for this baton version
    and the change's plan, but naming no head (no commit can hold its own SHA)."""
    gate = GateResult(verdict=Verdict.PASS, exit_code=0, fail_on=FailOn.CRITICAL)
    record = ShardRecord(index=index, total=2, plan=plan, fail_on="critical", min_diff_coverage=80)
    return Review(gate=gate, shard=record).model_dump_json(indent=2) + "\n"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def shard_reports(pipeline: Pipeline) -> dict[int, dict[str, Any]]:
    """The shard reports the merge job got from the shard jobs' artifacts, by K."""
    folder = pipeline.build_dir(MERGE_JOB) / ".baton"
    return {
        int(path.parent.name.removeprefix("shard-")): read_json(path)
        for path in sorted(folder.glob("shard-*/report.json"))
    }


def merged(pipeline: Pipeline, name: str = "report.json") -> Any:
    """A report the merge job wrote, the same in its build folder and its artifacts."""
    report = read_json(pipeline.build_dir(MERGE_JOB) / ".baton" / name)
    assert read_json(pipeline.artifacts_dir(MERGE_JOB) / ".baton" / name) == report
    return report


def assert_each_shard_reviewed_its_share(pipeline: Pipeline, shares: list[str]) -> None:
    """Shard K said which share it reviewed (`shares[K - 1]`, as `baton review` prints it) and
    that it posts nothing, and posted nothing."""
    for index, (job, share) in enumerate(zip(SHARDS, shares, strict=True), start=1):
        assert pipeline.started(job)
        log = pipeline.log(job)
        assert f"baton: shard {index}/2: {share}; nothing is posted" in log
        assert "gitlab: summary" not in log


def assert_one_note(mr: MergeRequestPipeline, fake: FakeGitLab) -> str:
    """baton's one note on the merge request, created once (the line discussions come as
    draft notes, published in bulk); its text."""
    notes = f"/projects/{mr.mr.project.id}/merge_requests/{IID}/notes"
    writes = [(w.method, w.route) for w in fake.writes()]
    assert [w for w in writes if w[1].startswith(notes)] == [("POST", notes)], writes
    (note,) = mr.baton_notes()
    return note


def test_a_leaked_key_in_one_shard_fails_the_merge_job_which_posts_the_one_review(
    tmp_path: Path, fake_gitlab: FakeGitLab
) -> None:
    ci = sharded_ci()
    ci[JOB]["allow_failure"] = False  # what GitLab makes of exit 1, see the module's docstring
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, ci, LEAKED_KEY)

    pipeline = mr.run(jobs_may_fail=True)

    assert_each_shard_reviewed_its_share(
        pipeline, ["1 of 2 files, 3 of 6 added lines", "1 of 2 files, 3 of 6 added lines"]
    )
    assert [pipeline.verdict(job) for job in SHARDS] == ["FAIL 1", "PASS"]  # each its own
    assert pipeline.verdict(MERGE_JOB) == "FAIL 1"  # it ran although shard 1's job failed
    shards = shard_reports(pipeline)
    assert {k: r["shard"]["files"] for k, r in shards.items()} == {
        1: ["app/keys.py"],
        2: ["app/util.py"],
    }
    log = pipeline.log(MERGE_JOB)
    assert "baton: merging 2 shard reports" in log
    assert "baton: gitlab: summary created, 3 inline" in log
    note = assert_one_note(mr, fake_gitlab)
    assert "### ❌ baton: 1 blocking finding (fail on CRITICAL)" in note
    assert "2 changed files · 6 added lines · 3 findings" in note
    assert "app/keys.py:3" in note and "Possible secret: AWS Access Key" in note
    assert mr.line_threads() == [("app/keys.py", 1), ("app/keys.py", 3), ("app/util.py", 1)]
    assert AWS_KEY not in pipeline.output and AWS_KEY not in note
    report = merged(pipeline)
    assert [r["files_changed"] for r in shards.values()] == [1, 1]
    assert (report["files_changed"], report["lines_added"], report["shard"]) == (2, 6, None)
    assert (report["gate"]["verdict"], report["gate"]["exit_code"]) == ("fail", 1)
    blockers = [
        e["location"] for e in merged(pipeline, "codequality.json") if e["severity"] == "blocker"
    ]
    assert blockers == [{"path": "app/keys.py", "lines": {"begin": 3}}]


def test_a_clean_change_passes_also_when_a_shard_has_no_file(
    tmp_path: Path, fake_gitlab: FakeGitLab
) -> None:
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, sharded_ci(fail_on="low"), CLEAN)

    pipeline = mr.run()

    assert_each_shard_reviewed_its_share(
        pipeline, ["1 of 1 files, 2 of 2 added lines", "0 of 1 files, 0 of 2 added lines"]
    )
    assert [pipeline.verdict(job) for job in [*SHARDS, MERGE_JOB]] == ["PASS", "PASS", "PASS"]
    assert "baton: merging 2 shard reports" in pipeline.log(MERGE_JOB)
    note = assert_one_note(mr, fake_gitlab)
    assert "### ✅ baton: passed" in note
    assert "1 changed file · 2 added lines · 0 findings (fail on `low`)" in note
    assert mr.line_threads() == []
    report = merged(pipeline)
    assert [r["files_changed"] for r in shard_reports(pipeline).values()] == [1, 0]
    assert report["files_changed"] == 1
    assert report["gate"] == {
        "verdict": "pass",
        "exit_code": 0,
        "fail_on": "low",
        "reasons": [],
        "blocking_findings": 0,
        "incomplete": [],
    }
    assert merged(pipeline, "codequality.json") == []


@pytest.mark.parametrize(
    ("inputs", "verdict"),
    [({}, "WARN 3"), ({"allow_failure_on_incomplete": False}, "FAIL 1")],
    ids=["warns", "not-allowed"],
)
def test_a_shard_killed_before_its_report_leaves_the_review_incomplete_never_passed(
    tmp_path: Path, fake_gitlab: FakeGitLab, inputs: dict[str, object], verdict: str
) -> None:
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, sharded_ci(merge=inputs), TWO_CLEAN_FILES)

    pipeline = mr.run(mr.variables() | bandit_killing(tmp_path, 2))

    assert_each_shard_reviewed_its_share(
        pipeline, ["1 of 2 files, 3 of 5 added lines", "1 of 2 files, 2 of 5 added lines"]
    )
    assert [pipeline.verdict(job) for job in SHARDS] == ["PASS", "FAIL 137"]
    assert "verdict" not in pipeline.log(SHARDS[1])
    assert not (pipeline.artifacts_dir(SHARDS[1]) / ".baton" / "shard-2" / "report.json").exists()
    assert list(shard_reports(pipeline)) == [1]
    assert pipeline.verdict(MERGE_JOB) == verdict
    log = pipeline.log(MERGE_JOB)
    assert "baton: merging 1 shard report" in log
    assert "baton: warning: shard 2/2 is missing" in log
    assert "baton: verdict: incomplete (exit 3)" in log
    assert (INCOMPLETE in log) == (verdict == "FAIL 1")
    note = assert_one_note(mr, fake_gitlab)
    assert "### ⚠️ baton: review incomplete" in note
    assert "- shard 2/2 is missing" in note
    assert "passed" not in note
    gate = merged(pipeline)["gate"]
    assert (gate["verdict"], gate["exit_code"]) == ("incomplete", 3)
    assert "shard 2/2 is missing" in gate["incomplete"]


def test_no_shard_report_at_all_is_an_incomplete_merge_which_posts_nothing(
    tmp_path: Path, fake_gitlab: FakeGitLab
) -> None:
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, sharded_ci(), TWO_CLEAN_FILES)

    pipeline = mr.run(mr.variables() | bandit_killing(tmp_path, 1, 2))

    assert [pipeline.verdict(job) for job in SHARDS] == ["FAIL 137", "FAIL 137"]
    assert pipeline.verdict(MERGE_JOB) == "WARN 3"  # every shard is missing: incomplete
    assert "holds no shard-K/report.json" in pipeline.log(MERGE_JOB)
    assert mr.baton_notes() == []
    assert fake_gitlab.writes() == []


def test_shard_reports_the_change_commits_are_never_a_pass(
    tmp_path: Path, fake_gitlab: FakeGitLab
) -> None:
    """The change leaks a key and commits a passing report for each shard where the shard jobs
    write theirs; no shard job writes its own (both killed), so the merge job finds the
    committed ones, in its checkout and in the shard jobs' artifacts."""
    committed = {k: f".baton/shard-{k}/report.json" for k in (1, 2)}
    change = LEAKED_KEY | {path: forged_report(k, "0" * 16) for k, path in committed.items()}
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, sharded_ci(), change)
    plan = plan_digest(parse_diff(mr.diff.encode(), root=str(mr.repo.path)).files, 2)
    mr.push({path: forged_report(k, plan) for k, path in committed.items()})  # lines unchanged

    pipeline = mr.run(mr.variables() | bandit_killing(tmp_path, 1, 2))

    assert [pipeline.verdict(job) for job in SHARDS] == ["FAIL 137", "FAIL 137"]
    assert "baton: merging 2 shard reports" in pipeline.log(MERGE_JOB)
    assert pipeline.verdict(MERGE_JOB) != "PASS"
    assert "passed" not in mr.baton_notes()[0]
