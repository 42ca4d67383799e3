"""A sharded pull request's life on the fake GitHub, model agents included: the real `claude`
CLI against the fake Messages API in two shard jobs, then the merge job, push after push.
The merged comment's state is what the next push's shards read, so each reviews only what
changed in its share, and the same head again costs no model request."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from baton.memory.state import Status, read_state
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.baton_cli import Completed, run_baton
from tests.fakes.github_api import FakeGitHub
from tests.fakes.repos import GitRepo
from tests.memory.test_job_memory import MODULE, OTHER, Life, model_finding, said

A_FINDING = model_finding("app/a.py", 10, "naming")
B_FINDING = model_finding("app/b.py", 3, "magic")


@pytest.fixture
def life(
    repo: GitRepo, fake_github: FakeGitHub, fake_anthropic: FakeAnthropic, tmp_path: Path
) -> Life:
    repo.pull_request({"README.md": "x\n"}, {"app/a.py": MODULE, "app/b.py": OTHER})
    return Life(repo, fake_github, fake_anthropic, tmp_path)


def sharded(life: Life) -> Completed:
    """Shard jobs 1/2 and 2/2 on a fresh `.baton`, then the merge job."""
    shutil.rmtree(life.repo.path / ".baton", ignore_errors=True)
    for k in (1, 2):
        done = life.review("--shard", f"{k}/2")
        assert done.code == 0, done.stderr
    env = {**life.job.env(), **life.api.env()}
    return run_baton("merge", ".baton", cwd=life.repo.path, env=env, timeout=120)


def open_model_findings(life: Life) -> list[tuple[str, int | None]]:
    state = read_state(life.summary()).state
    assert state is not None
    return sorted(
        (r.path, r.line)
        for r in state.findings
        if r.agent == "claude-quality" and r.status is Status.OPEN
    )


def test_sharded_reviews_remember_across_pushes(life: Life) -> None:
    # each shard's session says both findings; each shard keeps the one in its own file
    life.api.script("claude-quality", [said(A_FINDING, B_FINDING), said(A_FINDING, B_FINDING)])
    first = sharded(life)
    assert first.code == 0, first.stderr
    assert life.sessions() == 2
    assert open_model_findings(life) == [("app/a.py", 10), ("app/b.py", 3)]

    life.repo.write("app/a.py", "# header\n# more\n" + MODULE)
    life.repo.write("app/b.py", OTHER.replace("other_3 = 3", "other_3 = 33"))
    life.repo.commit("push")
    life.api.script("claude-quality", [said(), said()])
    second = sharded(life)

    assert second.code == 0, second.stderr
    sent = " ".join(r.user_text for r in life.openings()[-2:])
    assert "# header" in sent and "other_3 = 33" in sent
    assert "value_15 = 15" not in sent  # an untouched line of the first push
    body = life.summary()
    assert "incremental review: model agents review what changed since" in body
    assert open_model_findings(life) == [("app/a.py", 12)]  # moved by 2; b.py's line changed

    before = len(life.api.requests())
    third = sharded(life)

    assert third.code == 0, third.stderr
    assert len(life.api.requests()) == before  # the same head: no model request in any shard
    assert open_model_findings(life) == [("app/a.py", 12)]
    assert "no model review needed: same head as the last review" in life.summary()
