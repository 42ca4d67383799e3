"""`baton review` in the image, started as GitHub starts a Docker action and as GitLab a job.

The reviewed checkout belongs to another uid than the container's root, as a runner's does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.container import image
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import Reply
from tests.fakes.repos import GitRepo

pytestmark = pytest.mark.container

AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"
RUNNER_UID = 1001


def checkout(repo: GitRepo, changed: dict[str, str]) -> Path:
    """`main` with one module, a feature branch changing `changed`, owned by the runner."""
    repo.write("app/__init__.py", "")
    repo.write("app/util.py", "def double(x):\n    return 2 * x\n")
    repo.commit("base")
    repo.branch("feature")
    for path, text in changed.items():
        repo.write(path, text)
    repo.commit("change")
    image.give_to(repo.path, RUNNER_UID, RUNNER_UID)
    return repo.path


def test_planted_aws_key_fails_the_review_with_a_critical(baton_image: str, repo: GitRepo) -> None:
    workspace = checkout(repo, {"app/settings.py": f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'})
    ran = image.run(baton_image, "--base", "main", workspace=workspace)
    assert ran.code == 1, ran.stderr
    assert "CRITICAL" in ran.stdout
    assert "app/settings.py:1" in ran.stdout
    assert "secret-aws-access-key" in ran.stdout
    assert AWS_KEY not in ran.stdout + ran.stderr
    assert "dubious ownership" not in ran.stderr


def test_clean_change_passes(baton_image: str, repo: GitRepo) -> None:
    workspace = checkout(repo, {"app/util.py": "def double(x):\n    return x + x\n"})
    ran = image.run(baton_image, "--base", "main", workspace=workspace)
    assert ran.code == 0, ran.stdout + ran.stderr
    assert "baton: verdict: pass (exit 0)" in ran.stderr


@pytest.mark.parametrize("flags", [["--fail-on", "sometimes"], ["--no-such-flag"]])
def test_bad_flag_is_one_line_and_exit_2(baton_image: str, repo: GitRepo, flags: list[str]) -> None:
    workspace = checkout(repo, {"app/util.py": "def double(x):\n    return x + x\n"})
    ran = image.run(baton_image, "--base", "main", *flags, workspace=workspace)
    assert ran.code == 2
    assert len(image.lines(ran.stderr)) == 1, ran.stderr
    assert flags[-1] in ran.stderr
    assert "Traceback" not in ran.stderr
    assert ran.stdout == ""


def test_reports_are_written_into_the_workspace(baton_image: str, repo: GitRepo) -> None:
    workspace = checkout(repo, {"app/settings.py": f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'})
    ran = image.run(
        baton_image,
        *("--base", "main", "--json", "baton.json", "--sarif", "baton.sarif", "-q"),
        workspace=workspace,
    )
    assert ran.code == 1, ran.stderr
    report = json.loads((workspace / "baton.json").read_text())
    assert report["gate"]["verdict"] == "fail"
    sarif = json.loads((workspace / "baton.sarif").read_text())
    assert sarif["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("owner", "writes_as"),
    [(RUNNER_UID, RUNNER_UID), (0, 0)],
    ids=["runner's workspace: baton runs as the runner", "root's workspace: stays root"],
)
def test_what_baton_writes_belongs_to_the_workspace_owner(
    baton_image: str, repo: GitRepo, owner: int, writes_as: int
) -> None:
    """Started as root (as GitHub starts a Docker action), baton runs as the workspace's owner,
    so a self-hosted runner can delete what it wrote; its own process is not root either."""
    workspace = checkout(repo, {"app/settings.py": f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'})
    image.give_to(workspace, owner, owner)
    ran = image.run(
        baton_image,
        *("--base", "main", "--json", "baton.json", "--sarif", "baton.sarif"),
        workspace=workspace,
    )
    assert ran.code == 1, ran.stderr
    written = [workspace / "baton.json", workspace / "baton.sarif"]
    assert {(path.stat().st_uid, path.stat().st_gid) for path in written} == {
        (writes_as, writes_as)
    }


def test_gitlab_job_script_runs_in_the_image(baton_image: str, repo: GitRepo) -> None:
    """GitLab's template clears the entrypoint (`entrypoint: [""]`) and runs its script in sh."""
    workspace = checkout(repo, {"app/settings.py": f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'})
    script = "baton review --base main --fail-on never; echo exit=$?"
    ran = image.run(baton_image, "sh", "-c", script, workspace=workspace, entrypoint="")
    assert ran.stdout.splitlines()[-1] == "exit=0", ran.stderr
    assert "CRITICAL" in ran.stdout


def test_claude_agents_run_in_the_image_against_the_api(
    baton_image: str, repo: GitRepo, fake_anthropic: FakeAnthropic
) -> None:
    """With a model credential the image's bundled Claude Code CLI reviews the change, beside
    the built-in tools."""
    finding = {
        "severity": "HIGH",
        "confidence": "HIGH",
        "path": "app/views.py",
        "line": 2,
        "rule_id": "missing-authz",
        "title": "Deletes without checking the caller",
        "message": "Any user can delete any project.",
        "recommendation": "Check the caller's permission first.",
    }
    fake_anthropic.script(
        "claude-security", [Reply.structured({"findings": [finding], "summary": "."})]
    )
    fake_anthropic.script_default([Reply.structured({"findings": [], "summary": "Reviewed."})])
    workspace = checkout(repo, {"app/views.py": "def delete(project):\n    project.delete()\n"})
    ran = image.run(
        baton_image,
        *("--base", "main", "--fail-on", "high", "--json", "baton.json"),
        workspace=workspace,
        env={**fake_anthropic.env(), "BATON_API_MAX_RETRIES": "1"},
    )
    assert ran.code == 1, ran.stdout + ran.stderr
    report = json.loads((workspace / "baton.json").read_text())
    engines = {agent["name"]: agent["engine"] for agent in report["agents"]}
    assert {name: engines[name] for name in ("security", "claude-security")} == {
        "security": "builtin",
        "claude-security": "claude",
    }
    assert [(f["agent"], f["rule_id"]) for f in report["findings"]] == [
        ("claude-security", "missing-authz")
    ]
    assert len(fake_anthropic.requests()) >= 3


def test_shards_then_the_actions_merge_mode_give_one_verdict(
    baton_image: str, repo: GitRepo
) -> None:
    """A matrix of `shard: K/2` jobs writes reports; a job with `mode: merge` (INPUT_MODE, as
    GitHub passes inputs) reads them from `shards/` and gates once."""
    workspace = checkout(
        repo,
        {
            "app/settings.py": f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n',
            "app/views.py": "def view():\n    return 1\n",
        },
    )
    for k in (1, 2):
        ran = image.run(
            baton_image,
            *("--base", "main", "--json", f"shards/shard-{k}/report.json"),
            workspace=workspace,
            env={"INPUT_SHARD": f"{k}/2"},
        )
        assert ran.code in (0, 1), ran.stderr
        assert f"shard {k}/2:" in ran.stderr
    merged = image.run(
        baton_image, workspace=workspace, env={"INPUT_MODE": "merge", "INPUT_REPORTS": "shards"}
    )
    assert merged.code == 1, merged.stderr
    assert "merging 2 shard reports" in merged.stderr
    assert "app/settings.py:1" in merged.stdout
    bad = image.run(baton_image, workspace=workspace, env={"INPUT_MODE": "merj"})
    assert (bad.code, bad.stderr.strip()) == (
        2,
        "baton: error: mode must be review or merge (got 'merj')",
    )
