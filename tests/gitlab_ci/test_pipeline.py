"""baton's GitLab CI/CD component and plain template, run for real by gitlab-ci-local.

Each test builds a repository whose `.gitlab-ci.yml` includes baton as a local file (the
component with `inputs:`, or the plain template), a merge request for it on the fake GitLab,
and runs the merge request pipeline with gitlab-ci-local 4.73.0. `baton review` runs in the
job's script on this machine and talks to the fake over 127.0.0.1.

What gitlab-ci-local does differently from GitLab, and how these tests account for it:
* It exits 0 whether the job passed, failed, or failed with an allowed exit code: the tests
  read its printed result (`PASS`, `WARN 3`, `FAIL 1`; `Pipeline.verdict`).
* No predefined merge request variables: the tests pass them (`--variable`), pointing
  `CI_API_V4_URL` at the fake; it sets `GITLAB_CI=false`, so `GITLAB_CI=true` is passed too.
* The job's `image:` would make it pull a container (none is reachable here):
  `--force-shell-executor` runs the script on this machine instead, with the directory of the
  running Python first in PATH so `baton` and its tools are found. The image is not tested.
* It ignores `rules:` for a job named on its command line: the tests run the whole pipeline,
  so `rules:` decide (a push pipeline runs no baton job).
* No clone and no remote: `--shell-isolation` copies the working tree with its `.git` into
  `.gitlab-ci-local/builds/baton-review`; `git fetch origin` there fails at once (no remote,
  no prompt) and `|| true` lets the job go on. The tests check baton read the diff from that
  copy's history (not from the API fallback) at the merge request's head.
* `artifacts: reports: codequality` is not collected: the report stays in the build directory,
  and `artifacts: paths` (`.baton/`) is exported to `.gitlab-ci-local/artifacts/baton-review`.
* Inputs are not checked against `spec: inputs` (unknown names are accepted):
  tests/gitlab_ci/test_schema.py checks them both ways.
* `include: component:` works only for the current project at `$CI_COMMIT_SHA`: the tests
  include the component as `local:` with `inputs:`, the same interpolation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.gitlab_api import FakeGitLab
from tests.gitlab_ci.gitlab_ci_local import Pipeline
from tests.gitlab_ci.merge_request import (
    AWS_KEY,
    CLEAN,
    LEAKED_KEY,
    MergeRequestPipeline,
    component_ci,
    template_ci,
)
from tests.gitlab_ci.templates import JOB

pytestmark = pytest.mark.gitlab_ci

INCOMPLETE = "baton: the review is incomplete (exit 3) and allow_failure_on_incomplete is false"


def broken_bandit(tmp_path: Path) -> dict[str, str]:
    script = tmp_path / "broken-bandit"
    script.write_text("#!/bin/sh\necho 'Traceback: boom' >&2\nexit 70\n")
    script.chmod(0o755)
    return {"BATON_TOOLS__BANDIT": str(script)}


def assert_reviewed_the_local_history(pipeline: Pipeline, files: int) -> None:
    log = pipeline.log(JOB)
    assert f"baton: reviewing {files} files" in log
    assert "asking gitlab instead" not in log
    assert "the checkout is at" not in log
    assert (pipeline.build_dir(JOB) / ".git").is_dir()


def codequality(pipeline: Pipeline) -> list[dict[str, object]]:
    kept = pipeline.build_dir(JOB) / ".baton" / "codequality.json"
    report: list[dict[str, object]] = json.loads(kept.read_text(encoding="utf-8"))
    exported = pipeline.artifacts_dir(JOB) / ".baton" / "codequality.json"
    assert json.loads(exported.read_text(encoding="utf-8")) == report
    return report


@pytest.mark.parametrize(
    ("ci", "stage", "fail_on"),
    [
        (component_ci(fail_on="high", stage="review"), "review", "high"),
        (template_ci(), "test", "critical"),
    ],
    ids=["component", "template"],
)
def test_a_leaked_key_fails_the_job_and_posts_the_review(
    tmp_path: Path, fake_gitlab: FakeGitLab, ci: dict[str, object], stage: str, fail_on: str
) -> None:
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, ci, LEAKED_KEY)

    pipeline = mr.run()

    assert pipeline.verdict(JOB) == "FAIL 1"
    assert f"{JOB} starting shell ({stage})" in pipeline.output
    assert f"fail on `{fail_on}`" in pipeline.log(JOB)
    assert_reviewed_the_local_history(pipeline, files=2)
    assert "baton: gitlab: summary created, 3 inline" in pipeline.log(JOB)
    assert len(mr.baton_notes()) == 1
    assert mr.line_threads() == [("app/keys.py", 1), ("app/keys.py", 3), ("app/util.py", 1)]
    assert AWS_KEY not in pipeline.output and AWS_KEY not in mr.baton_notes()[0]
    blockers = [e["location"] for e in codequality(pipeline) if e["severity"] == "blocker"]
    assert blockers == [{"path": "app/keys.py", "lines": {"begin": 3}}]


@pytest.mark.parametrize(
    ("ci", "verdict"),
    [
        (component_ci(), "WARN 3"),
        (template_ci(), "WARN 3"),
        (component_ci(allow_failure_on_incomplete=False), "FAIL 1"),
    ],
    ids=["component", "template", "component-not-allowed"],
)
def test_an_incomplete_review_warns_unless_the_input_says_otherwise(
    tmp_path: Path, fake_gitlab: FakeGitLab, ci: dict[str, object], verdict: str
) -> None:
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, ci, CLEAN)

    pipeline = mr.run(mr.variables() | broken_bandit(tmp_path))

    assert pipeline.verdict(JOB) == verdict
    assert "bandit exited with code 70" in pipeline.log(JOB)
    assert (INCOMPLETE in pipeline.log(JOB)) == (verdict == "FAIL 1")
    assert len(mr.baton_notes()) == 1
    assert "bandit exited with code 70" in mr.baton_notes()[0]
    assert mr.line_threads() == []


def test_a_clean_change_passes(tmp_path: Path, fake_gitlab: FakeGitLab) -> None:
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, component_ci(fail_on="low"), CLEAN)

    pipeline = mr.run()

    assert pipeline.verdict(JOB) == "PASS"
    assert_reviewed_the_local_history(pipeline, files=1)
    assert len(mr.baton_notes()) == 1
    assert mr.line_threads() == []
    assert codequality(pipeline) == []


def test_a_push_pipeline_runs_no_review(tmp_path: Path, fake_gitlab: FakeGitLab) -> None:
    mr = MergeRequestPipeline(tmp_path, fake_gitlab, component_ci(), LEAKED_KEY)
    push = {k: v for k, v in mr.variables().items() if not k.startswith("CI_MERGE_REQUEST_")} | {
        "CI_PIPELINE_SOURCE": "push"
    }

    pipeline = mr.run(push)

    assert "pipeline finished" in pipeline.output
    assert not pipeline.started(JOB), pipeline.output
    assert fake_gitlab.requests() == []
