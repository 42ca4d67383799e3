"""A pull request's life on the fake GitHub, reviewed by the real `baton review` with the real
`claude` CLI against the fake Messages API: what the model agents are sent push after push,
what is carried, what a rerun costs, and dismissals from the conversation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baton.memory.state import Status, read_state
from baton.render.markdown import MARKER
from tests.fakes.anthropic_api import FakeAnthropic, RecordedRequest
from tests.fakes.anthropic_script import Reply
from tests.fakes.baton_cli import Completed, run_baton
from tests.fakes.github_api import FakeGitHub, Fault
from tests.fakes.github_job import REPO, PullRequestJob
from tests.fakes.repos import GitRepo

BOT = "github-actions[bot]"
MODULE = "".join(f"value_{n} = {n}\n" for n in range(1, 21))
OTHER = "".join(f"other_{n} = {n}\n" for n in range(1, 11))
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n"
ONLY_QUALITY = {"BATON_AGENTS": "quality", "BATON_RETRIES": "0", "BATON_API_MAX_RETRIES": "0"}


def said(*findings: dict[str, Any]) -> Reply:
    return Reply.structured({"findings": list(findings), "summary": "Reviewed."})


def model_finding(path: str, line: int, rule: str, severity: str = "MEDIUM") -> dict[str, Any]:
    return {
        "severity": severity,
        "confidence": "HIGH",
        "path": path,
        "line": line,
        "rule_id": rule,
        "title": f"{rule} in {path}",
        "message": "Explained.",
    }


class Life:
    """The checkout, the pull request and the two fake services of one test."""

    def __init__(self, repo: GitRepo, github: FakeGitHub, api: FakeAnthropic, tmp: Path):
        self.repo, self.github, self.api = repo, github, api
        self.job = PullRequestJob(github, repo.path, tmp)

    def review(self, *args: str, env: dict[str, str] | None = None) -> Completed:
        job_env = {**self.job.env(), **self.api.env(), **ONLY_QUALITY, **(env or {})}
        return run_baton("review", *args, cwd=self.repo.path, env=job_env, timeout=240)

    def summary(self) -> str:
        assert self.job.pull is not None
        [body] = [
            c.body
            for c in self.github.comments(self.job.pull)
            if c.body.startswith(MARKER) and c.user.login == BOT
        ]
        return body

    def sessions(self) -> int:
        """Model sessions so far: the request that opens each (no assistant turn yet)."""
        return len(self.openings())

    def openings(self) -> list[RecordedRequest]:
        return [
            r
            for r in self.api.requests("claude-quality")
            if not any(m.get("role") == "assistant" for m in r.body["messages"])
        ]


@pytest.fixture
def life(
    repo: GitRepo, fake_github: FakeGitHub, fake_anthropic: FakeAnthropic, tmp_path: Path
) -> Life:
    repo.pull_request({"README.md": "x\n"}, {"app/a.py": MODULE, "app/b.py": OTHER})
    return Life(repo, fake_github, fake_anthropic, tmp_path)


def test_a_push_is_reviewed_incrementally_and_a_rerun_costs_no_model_call(life: Life) -> None:
    life.api.script(
        "claude-quality",
        [said(model_finding("app/a.py", 10, "naming"), model_finding("app/b.py", 3, "magic"))],
    )
    first = life.review()
    assert first.code == 0, first.stderr
    assert life.sessions() == 1

    life.repo.write("app/a.py", "# header\n# more\n" + MODULE)
    life.repo.write("app/b.py", OTHER.replace("other_3 = 3", "other_3 = 33"))
    life.repo.commit("push")
    life.api.script("claude-quality", [said()])
    second = life.review()

    assert second.code == 0, second.stderr
    sent = life.openings()[-1]
    assert "# header" in sent.user_text and "other_3 = 33" in sent.user_text
    assert "value_15 = 15" not in sent.user_text  # an untouched line of the first push
    body = life.summary()
    assert "incremental review: model agents review what changed since" in body
    state = read_state(body).state
    assert state is not None
    model = [(r.path, r.line) for r in state.findings if r.agent == "claude-quality"]
    assert [m for m in model if m[0] == "app/a.py"] == [("app/a.py", 12)]  # moved by 2
    open_model = [
        (r.path, r.line)
        for r in state.findings
        if r.agent == "claude-quality" and r.status is Status.OPEN
    ]
    assert open_model == [("app/a.py", 12)]  # b.py's line changed: not carried

    before = len(life.api.requests())
    third = life.review()
    assert third.code == 0, third.stderr
    assert len(life.api.requests()) == before  # the same head: no model request at all
    again = read_state(life.summary()).state
    assert again is not None
    remembered = [
        (r.path, r.line)
        for r in again.findings
        if r.agent == "claude-quality" and r.status is Status.OPEN
    ]
    assert remembered == open_model
    assert "no model review needed: same head as the last review" in life.summary()


def test_a_rebase_or_force_push_is_reviewed_in_full_and_says_why(life: Life) -> None:
    life.api.script_default([said()] * 6)
    assert life.review().code == 0
    life.repo.git("commit", "-q", "--amend", "-m", "reworded")  # a force-push
    second = life.review()
    assert second.code == 0, second.stderr
    assert "is not in this head's history (rebase?)" in life.summary()
    life.repo.git("checkout", "-q", "main")
    life.repo.write("NEWS.md", "news\n")
    life.repo.commit("main moves on")
    life.repo.git("checkout", "-q", "feature")
    life.repo.git("rebase", "-q", "main")
    third = life.review()
    assert third.code == 0, third.stderr
    assert "full review: the merge-base changed since the last review" in life.summary()
    assert life.sessions() == 3


@pytest.mark.parametrize(
    ("association", "severity", "code", "listed"),
    [
        ("MEMBER", "HIGH", 0, "**Dismissed (1)**"),
        ("CONTRIBUTOR", "HIGH", 1, "they may not write to the repository"),
        ("OWNER", "CRITICAL", 1, "of CRITICAL risky at app/a.py:5 refused"),
    ],
)
def test_a_reply_dismisses_what_a_writer_may_dismiss(
    life: Life, association: str, severity: str, code: int, listed: str
) -> None:
    life.api.script("claude-quality", [said(model_finding("app/a.py", 5, "risky", severity))])
    first = life.review(env={"BATON_FAIL_ON": "high"})
    assert first.code == 1, first.stderr
    assert life.job.pull is not None
    [inline] = life.github.review_comments(life.job.pull)
    life.github.set_association(REPO, "alice", association)
    life.github.add_reply(
        life.job.pull, inline, "/baton dismiss the value is a test constant", author="alice"
    )

    regate = life.review(env={"BATON_FAIL_ON": "high"})

    assert regate.code == code, regate.stderr
    assert listed in life.summary(), regate.stderr
    assert life.sessions() == 1  # the same head: remembered, no model call


def test_a_state_of_a_newer_version_means_a_full_review(life: Life) -> None:
    life.api.script_default([said()] * 6)
    assert life.review().code == 0
    assert life.job.pull is not None
    [comment] = [c for c in life.github.comments(life.job.pull) if c.user.login == BOT]
    comment.body = comment.body.rsplit("<!-- baton:state ", 1)[0] + "<!-- baton:state 9 e30= -->"
    second = life.review()
    assert second.code == 0, second.stderr
    assert "full review: the earlier review state is of a newer version (9)" in life.summary()
    assert life.sessions() == 2


def test_a_state_copied_into_someone_elses_comment_is_not_baton_s(life: Life) -> None:
    life.api.script_default([said()] * 6)
    assert life.review().code == 0
    assert life.job.pull is not None
    [own] = [c for c in life.github.comments(life.job.pull) if c.user.login == BOT]
    copied, own.body = own.body, "An edited comment."
    life.github.add_comment(life.job.pull, copied, author="mallory")

    second = life.review()

    assert second.code == 0, second.stderr
    assert life.sessions() == 2  # reviewed in full: the copy steered nothing
    assert "no model review needed" not in life.summary()


def test_replies_that_cannot_be_read_are_said_in_the_comment(life: Life) -> None:
    life.api.script_default([said()] * 6)
    assert life.review().code == 0
    life.github.inject(Fault.server_error(502), times=100, on="reads", path=r"/pulls/7/comments$")

    second = life.review()

    assert second.code == 0, second.stderr
    assert "replies to baton's inline comments could not be read" in life.summary()
    assert "warning: replies to baton's inline comments could not be read" in second.stderr
