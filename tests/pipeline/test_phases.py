"""Phases, the stop gate, rule control and the pipeline record, with the built-in agents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.baton_cli import Completed, review_report, run_baton
from tests.fakes.repos import GitRepo

SHELL_CALL = "import subprocess\n\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n"
UNUSED_IMPORT = "import os\n\nVALUE = 1\n"
WEAK_HASH = "import hashlib\n\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n"


def pull_request(repo: GitRepo, config: str, files: dict[str, str]) -> GitRepo:
    """`main` holds the config; `feature` adds `files`."""
    repo.pull_request({".baton.toml": config, "README.md": "app\n"}, files)
    return repo


def review(repo: GitRepo, *args: str) -> tuple[Completed, dict[str, Any]]:
    done, report = review_report(repo.path, *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done, report


def statuses(report: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {a["name"]: (a["phase"], a["status"]) for a in report["agents"]}


def test_phases_run_in_order_and_a_critical_skips_the_rest(repo: GitRepo) -> None:
    pull_request(repo, 'phases = [["security"], ["quality"]]\n', {"app/run.py": SHELL_CALL})

    done, report = review(repo)

    assert done.code == 1
    assert statuses(report) == {"security": (1, "ok"), "quality": (2, "skipped")}
    quality = next(a for a in report["agents"] if a["name"] == "quality")
    assert "phase 1 found 1 finding at or above critical" in quality["reason"]
    assert "B602" in quality["reason"]
    assert [(p["number"], p["ran"]) for p in report["phases"]] == [(1, True), (2, False)]
    assert "quality: started" not in done.stderr
    assert "phase 2 (quality): skipped" in done.stderr
    assert "2 · quality" in done.stdout and "skipped" in done.stdout


def test_without_a_blocking_finding_every_phase_runs(repo: GitRepo) -> None:
    pull_request(
        repo, 'phases = [["security"], ["quality", "coverage"]]\n', {"app/util.py": UNUSED_IMPORT}
    )

    done, report = review(repo)

    assert done.code == 0, done.stderr
    assert statuses(report) == {
        "security": (1, "ok"),
        "quality": (2, "ok"),
        "coverage": (2, "skipped"),
    }
    assert [f["rule_id"] for f in report["findings"]] == ["F401"]
    assert all(p["ran"] for p in report["phases"])
    assert all(a["attempts"] >= 1 for a in report["agents"] if a["status"] == "ok")


def test_a_stop_below_the_gate_leaves_the_review_incomplete(repo: GitRepo) -> None:
    config = 'stop_on = "high"\nphases = [["security"], ["quality"]]\n'
    pull_request(repo, config, {"app/digest.py": WEAK_HASH})

    done, report = review(repo)

    assert done.code == 3, done.stdout
    assert report["gate"]["verdict"] == "incomplete"
    assert any("later phases skipped" in r for r in report["gate"]["reasons"])
    assert statuses(report)["quality"] == (2, "skipped")


def test_severity_overrides_and_agent_ignores_shape_the_gate(repo: GitRepo) -> None:
    config = (
        '[agents.security]\nseverity = { B602 = "low" }\nignore = ["scripts/**"]\n'
        '[severity]\nF401 = "info"\n'
    )
    files = {"app/run.py": SHELL_CALL, "scripts/deploy.py": SHELL_CALL, "app/u.py": UNUSED_IMPORT}
    pull_request(repo, config, files)

    done, report = review(repo, "--agents", "security,quality")

    assert done.code == 0, done.stdout
    by_rule = {(f["rule_id"], f["path"]): f for f in report["findings"]}
    assert by_rule[("B602", "app/run.py")]["severity"] == "LOW"
    assert by_rule[("B602", "app/run.py")]["original_severity"] == "CRITICAL"
    assert by_rule[("F401", "app/u.py")]["severity"] == "INFO"
    assert ("B602", "scripts/deploy.py") not in by_rule
    security = next(a for a in report["agents"] if a["name"] == "security")
    assert {
        "path": "scripts/deploy.py",
        "reason": "agents.security.ignore",
        "unreviewable": False,
        "other_kind": False,
    } in security["skipped"]
    assert "reported as CRITICAL" in done.stdout


def test_agents_selection_keeps_the_phase_order(repo: GitRepo) -> None:
    pull_request(repo, 'phases = [["security"], ["quality"]]\n', {"app/util.py": UNUSED_IMPORT})

    _, report = review(repo, "--agents", "quality")

    assert statuses(report) == {"quality": (1, "ok")}


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ('phases = [["security"], ["astrology"]]\n', "unknown agent astrology in phases"),
        ('phases = [["security"], ["security"]]\n', "agent security appears twice in phases"),
        ("[agents.license]\nretries = 1\n", "agents.license: not an agent baton knows"),
        ('[agents.security]\nprompt = "x"\n', "prompt of a built-in agent cannot be replaced"),
        ('[agents.license]\nprompt = "x"\nengine = "builtin"\n', "has no built-in engine"),
        ("phases = []\n", "no agent to run"),
        ("phases = [[], []]\n", "no agent to run"),
        (
            "".join(
                f"[agents.{name}]\nenabled = false\n"
                for name in (
                    "security",
                    "quality",
                    "coverage",
                    "workflows",
                    "shell",
                    "dockerfile",
                    "dependencies",
                )
            ),
            "no agent to run",
        ),
        ('[agents.claude-security]\nprompt = "x"\n', "name claude-security is reserved"),
    ],
)
def test_pipeline_config_errors_exit_2_in_one_line(repo: GitRepo, config: str, needle: str) -> None:
    pull_request(repo, config, {"app/util.py": UNUSED_IMPORT})

    done = run_baton("review", "--base", "main", cwd=repo.path)

    assert done.code == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("baton: error:")]
    assert len(errors) == 1 and needle in errors[0], done.stderr


def test_an_agent_needing_a_model_is_skipped_offline_not_failed(repo: GitRepo) -> None:
    config = '[agents.license]\nprompt = "Check licenses of new dependencies."\n'
    pull_request(repo, config, {"app/util.py": UNUSED_IMPORT})

    done, report = review(repo)

    assert done.code == 0, done.stdout
    license_agent = next(a for a in report["agents"] if a["name"] == "license")
    assert license_agent["status"] == "skipped"
    assert "needs a model credential" in license_agent["reason"]


def test_work_dir_keeps_the_handoff_between_phases(repo: GitRepo, tmp_path: Path) -> None:
    pull_request(repo, 'phases = [["quality"], ["security"]]\n', {"app/util.py": UNUSED_IMPORT})
    work = tmp_path / "work"

    done = run_baton("review", "--base", "main", cwd=repo.path, env={"BATON_WORK_DIR": str(work)})

    assert done.code == 0, done.stderr
    handed = json.loads((work / "findings.json").read_text())
    assert [f["rule_id"] for f in handed] == ["F401"]
    summary = (work / "phase-2" / "summary.md").read_text()
    assert summary.startswith("1 finding so far: 1 LOW; by agent: quality 1.")
    assert "quality F401 at app/util.py:1" in summary


def test_a_change_wholly_excluded_by_configuration_passes(repo: GitRepo) -> None:
    pull_request(repo, 'exclude = ["docs/**"]\n', {"docs/guide.md": "Run `eval(input())`.\n"})

    done, report = review(repo)

    assert done.code == 0, done.stderr
    assert report["gate"]["verdict"] == "pass"
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [
        ("docs/guide.md", "excluded by docs/**")
    ]


def test_files_to_review_and_no_agent_that_reviewed_them_is_incomplete(repo: GitRepo) -> None:
    pull_request(repo, "", {"app/util.py": UNUSED_IMPORT})

    done, report = review(repo, "--agents", "coverage")

    assert done.code == 3, done.stderr
    assert statuses(report) == {"coverage": (1, "skipped")}
    assert "no agent reviewed any file of the change" in report["gate"]["reasons"]
