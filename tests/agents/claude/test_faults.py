"""The model's API failing in every way the fake can: a fault the CLI retries past changes
nothing, one that persists fails that agent alone — never a traceback, never a pass.

Each row runs the real `baton review --agents security` (the built-in `security` agent and
`claude-security` beside it) through the real `claude` CLI against the fake Anthropic API,
with one API retry per session and no reruns, on a change the built-in tools find clean.
The model reports one HIGH finding when it gets to answer; `fail_on = high` makes that
finding the verdict.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import Fault, Reply, Turn
from tests.fakes.baton_cli import run_baton
from tests.fakes.repos import GitRepo

CLEAN = '"""Greetings."""\n\n\ndef greet(name: str) -> str:\n    return f"Hello, {name}"\n'
ANSWER = Reply.structured(
    {
        "findings": [
            {
                "severity": "HIGH",
                "confidence": "HIGH",
                "path": "app/greet.py",
                "line": 5,
                "rule_id": "unescaped-output",
                "title": "Name is echoed unescaped",
                "message": "Explained.",
                "recommendation": "Escape it.",
            }
        ],
        "summary": "Reviewed.",
    }
)
FAULTS = {
    "429-retry-after": (Fault.rate_limited(retry_after=1), "rate limited (HTTP 429)"),
    "529-overloaded": (Fault.overloaded(), "overloaded (HTTP 529)"),
    "500-server-error": (Fault.server_error(), "error (HTTP 500)"),
    "connection-reset": (Fault.reset(), "Connection dropped (ECONNRESET)"),
    "hang-past-timeout": (Fault.hang(), "Request timed out"),
    "malformed-stream": (Fault.garbage(), "empty or malformed response"),
    "truncated-stream": (Fault.truncated(), "empty or malformed response"),
}
"""Each fault, and what the failed agent's reason says when it persists."""
ENV = {
    "BATON_API_MAX_RETRIES": "1",
    "BATON_API_TIMEOUT": "3",
    "BATON_RETRIES": "0",
    "BATON_FAIL_ON": "high",
}


def review(repo: GitRepo, api: FakeAnthropic, turns: list[Turn]) -> tuple[int, dict[str, Any], str]:
    api.script("claude-security", turns)
    done = run_baton(
        *("review", "--base", "main", "--agents", "security", "--json", "r.json"),
        cwd=repo.path,
        env={**api.env(), **ENV},
        timeout=180,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.code, json.loads((repo.path / "r.json").read_text()), done.stderr


@pytest.fixture
def change(repo: GitRepo) -> GitRepo:
    repo.pull_request({"app/__init__.py": ""}, {"app/greet.py": CLEAN})
    return repo


def test_without_a_fault_the_models_finding_is_the_verdict(
    change: GitRepo, fake_anthropic: FakeAnthropic
) -> None:
    code, report, log = review(change, fake_anthropic, [ANSWER])
    assert code == 1, log
    assert [f["rule_id"] for f in report["findings"]] == ["unescaped-output"]


@pytest.mark.parametrize(("fault", "reason"), FAULTS.values(), ids=FAULTS.keys())
def test_a_fault_retried_past_changes_nothing(
    change: GitRepo, fake_anthropic: FakeAnthropic, fault: Fault, reason: str
) -> None:
    code, report, log = review(change, fake_anthropic, [fault, ANSWER])

    assert code == 1, log
    assert [f["rule_id"] for f in report["findings"]] == ["unescaped-output"]
    assert {a["name"]: a["status"] for a in report["agents"]} == {
        "security": "ok",
        "claude-security": "ok",
    }


@pytest.mark.parametrize(("fault", "reason"), FAULTS.values(), ids=FAULTS.keys())
def test_a_fault_that_persists_fails_that_agent_alone(
    change: GitRepo, fake_anthropic: FakeAnthropic, fault: Fault, reason: str
) -> None:
    code, report, log = review(change, fake_anthropic, [fault] * 8)

    assert code == 3, log
    agents = {a["name"]: a for a in report["agents"]}
    assert agents["security"]["status"] == "ok"
    assert agents["claude-security"]["status"] == "failed"
    assert reason in agents["claude-security"]["reason"]
    assert report["gate"]["verdict"] == "incomplete"
    assert report["findings"] == []
