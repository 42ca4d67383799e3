"""`baton review --since REF` through the real CLI and `claude` against the fake Messages API:
the model agents see only what changed since REF; the built-in agents still see everything."""

from __future__ import annotations

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import Reply
from tests.fakes.baton_cli import review_report, run_baton
from tests.fakes.repos import GitRepo

ONLY_QUALITY = {"BATON_AGENTS": "quality", "BATON_RETRIES": "0"}
EARLY = "def early_function(value):\n    return value + 1\n"
LATE = "def late_function(value):\n    return value * 2\n"


def test_since_sends_the_model_only_the_later_commits(
    repo: GitRepo, fake_anthropic: FakeAnthropic
) -> None:
    repo.pull_request({"README.md": "x\n"}, {"app/early.py": EARLY + "import os\n"})
    repo.write("app/late.py", LATE)
    repo.commit("second push")
    fake_anthropic.script_default([Reply.structured({"findings": [], "summary": "Fine."})] * 4)
    env = {**fake_anthropic.env(), **ONLY_QUALITY}

    done, report = review_report(repo.path, "--since", "HEAD~1", env=env)

    assert done.code == 0, done.stderr
    [sent] = fake_anthropic.requests("claude-quality")
    assert "late_function" in sent.user_text and "early_function" not in sent.user_text
    assert "incremental review: model agents review" in done.stdout
    assert [f["rule_id"] for f in report["findings"]] == ["F401"]  # ruff saw the whole change
    agents = {a["name"]: a["files_reviewed"] for a in report["agents"]}
    assert agents == {"quality": 2, "claude-quality": 1}

    full, _ = review_report(repo.path, env=env)
    assert full.code == 0, full.stderr
    _, again = fake_anthropic.requests("claude-quality")
    assert "late_function" in again.user_text and "early_function" in again.user_text


def test_since_an_unknown_ref_is_a_usage_error(repo: GitRepo) -> None:
    repo.pull_request({"README.md": "x\n"}, {"app/early.py": EARLY})
    done = run_baton("review", "--base", "main", "--since", "no-such-ref", cwd=repo.path)
    assert done.code == 2
    assert "unknown git ref: 'no-such-ref'" in done.stderr
    assert "Traceback" not in done.stderr
