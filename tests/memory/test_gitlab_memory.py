"""The same memory on GitLab: real python-gitlab against the fake GitLab, real `claude` against
the fake Messages API — a re-run on the same head makes no model call, a Developer's reply
dismisses, a Reporter's does not, and a push is reviewed incrementally."""

from __future__ import annotations

from typing import Any

import gitlab
import pytest

from baton.memory.state import read_state
from baton.render.markdown import MARKER
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import Reply
from tests.fakes.baton_cli import Completed, run_baton
from tests.fakes.gitlab_api import FakeGitLab
from tests.fakes.gitlab_job import IID, PROJECT, MergeRequestJob
from tests.fakes.repos import GitRepo

MODULE = "".join(f"value_{n} = {n}\n" for n in range(1, 21))
ONLY_QUALITY = {
    "BATON_AGENTS": "quality",
    "BATON_RETRIES": "0",
    "BATON_API_MAX_RETRIES": "0",
    "BATON_FAIL_ON": "high",
}
TOKENS = {"bob": "glpat-fake-bob", "carol": "glpat-fake-carol"}


def said(*findings: dict[str, Any]) -> Reply:
    return Reply.structured({"findings": list(findings), "summary": "Reviewed."})


RISKY = {
    "severity": "HIGH",
    "confidence": "HIGH",
    "path": "app/a.py",
    "line": 5,
    "rule_id": "risky",
    "title": "risky value",
    "message": "Explained.",
}


class GitLabLife:
    def __init__(self, repo: GitRepo, fake: FakeGitLab, api: FakeAnthropic) -> None:
        self.repo, self.fake, self.api = repo, fake, api
        self.job = MergeRequestJob(fake, repo.path)

    def review(self) -> Completed:
        env = {**self.job.env(), **self.api.env(), **ONLY_QUALITY}
        return run_baton("review", cwd=self.repo.path, env=env, timeout=240)

    def summary(self) -> str:
        assert self.job.mr is not None
        [body] = [n.body for n in self.fake.notes(self.job.mr) if n.body.startswith(MARKER)]
        return body

    def requests(self) -> int:
        return len(self.api.requests("claude-quality"))

    def reply(self, who: str, body: str) -> None:
        """`who` answers in baton's discussion, through the API with their own token."""
        with gitlab.Gitlab(self.fake.url, private_token=TOKENS[who], timeout=5) as client:
            mr = client.projects.get(PROJECT, lazy=True).mergerequests.get(IID, lazy=True)
            threads = mr.discussions.list(all=True)
            [thread] = [d for d in threads if "baton:inline" in str(d.attributes)]
            mr.discussions.get(thread.id, lazy=True).notes.create({"body": body})


@pytest.fixture
def life(repo: GitRepo, fake_gitlab: FakeGitLab, fake_anthropic: FakeAnthropic) -> GitLabLife:
    repo.pull_request({"README.md": "x\n"}, {"app/a.py": MODULE})
    fake_gitlab.add_member(PROJECT, "bob", "developer")
    fake_gitlab.add_member(PROJECT, "carol", "reporter")
    for name, token in TOKENS.items():
        fake_gitlab.add_token(token, name)
    return GitLabLife(repo, fake_gitlab, fake_anthropic)


@pytest.mark.parametrize(("who", "code"), [("bob", 0), ("carol", 1)])
def test_a_developers_reply_dismisses_on_the_rerun_without_a_model_call(
    life: GitLabLife, who: str, code: int
) -> None:
    life.api.script("claude-quality", [said(RISKY)])
    first = life.review()
    assert first.code == 1, first.stderr
    sent = life.requests()
    life.reply(who, "/baton dismiss the value is a test constant")

    rerun = life.review()

    assert rerun.code == code, rerun.stderr
    assert life.requests() == sent  # the same head: no model request
    body = life.summary()
    assert "no model review needed: same head as the last review" in body
    if code == 0:
        assert "**Dismissed (1)**" in body
    else:
        assert "they may not write to the repository" in body


def test_a_push_is_reviewed_incrementally(life: GitLabLife) -> None:
    life.api.script("claude-quality", [said(RISKY), said()])
    assert life.review().code == 1
    life.repo.write("app/a.py", "# header\n" + MODULE)
    life.repo.commit("push")

    second = life.review()

    assert second.code == 1, second.stderr  # the carried HIGH still fails the gate
    state = read_state(life.summary()).state
    assert state is not None
    assert [(r.path, r.line) for r in state.findings if r.agent == "claude-quality"] == [
        ("app/a.py", 6)
    ]
    assert "incremental review: model agents review what changed since" in life.summary()
