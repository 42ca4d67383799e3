"""End to end: the real `baton review` command over real git repositories and real tools."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.fakes.baton_cli import run_baton, start_baton
from tests.fakes.repos import GitRepo

AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"

CLEAN_MODULE = '''"""Arithmetic helpers."""


def add(a: int, b: int) -> int:
    return a + b
'''


@pytest.fixture
def feature_repo(repo: GitRepo) -> GitRepo:
    """`main` with one clean module; checked out on branch `feature`."""
    repo.write("pkg/calc.py", CLEAN_MODULE)
    repo.commit("base")
    repo.branch("feature")
    return repo


def test_planted_aws_key_fails_with_critical_at_its_line(feature_repo: GitRepo) -> None:
    feature_repo.write(
        "pkg/settings.py",
        f'"""Settings."""\n\nREGION = "eu-west-1"\nACCESS_KEY_ID = "{AWS_KEY}"\n',
    )
    feature_repo.commit("add settings")

    done = run_baton("review", "--base", "main", "--json", "report.json", cwd=feature_repo.path)

    assert done.code == 1, done.stderr
    report = json.loads((feature_repo.path / "report.json").read_text())
    critical = [f for f in report["findings"] if f["severity"] == "CRITICAL"]
    assert [(f["path"], f["line"], f["agent"]) for f in critical] == [
        ("pkg/settings.py", 4, "security")
    ]
    assert report["gate"]["verdict"] == "fail"
    assert "CRITICAL" in done.stdout
    assert "pkg/settings.py" in done.stdout
    # The secret itself never appears anywhere.
    for text in (done.stdout, done.stderr, (feature_repo.path / "report.json").read_text()):
        assert AWS_KEY not in text
        assert AWS_KEY[4:] not in text


def test_clean_change_passes(feature_repo: GitRepo) -> None:
    feature_repo.write(
        "pkg/calc.py", CLEAN_MODULE + "\n\ndef sub(a: int, b: int) -> int:\n    return a - b\n"
    )
    feature_repo.commit("add sub")

    done = run_baton("review", "--base", "main", cwd=feature_repo.path)

    assert done.code == 0, done.stdout + done.stderr
    assert "<!-- baton:summary -->" in done.stdout
    assert "security: ok" in done.stderr
    assert "quality: ok" in done.stderr


def test_findings_only_on_added_lines(feature_repo: GitRepo) -> None:
    """An old problem in an edited file is not the change's fault."""
    feature_repo.checkout("main")
    feature_repo.write("pkg/old.py", "import os\n\n\ndef f():\n    return 1\n")
    feature_repo.commit("old unused import")
    feature_repo.checkout("feature")
    feature_repo.git("merge", "-q", "main")
    feature_repo.write("pkg/old.py", "import os\n\n\ndef f():\n    return 1\n\n\nimport sys\n")
    feature_repo.commit("another unused import")

    done = run_baton("review", "--base", "main", "--json", "r.json", cwd=feature_repo.path)

    report = json.loads((feature_repo.path / "r.json").read_text())
    places = [(f["path"], f["line"], f["rule_id"]) for f in report["findings"]]
    assert ("pkg/old.py", 8, "F401") in places
    assert not any(line == 1 for _, line, _ in places)
    assert done.code == 0


def test_broken_tool_gives_incomplete_and_keeps_other_findings(
    feature_repo: GitRepo, tmp_path: Path
) -> None:
    broken = tmp_path / "bandit"
    broken.write_text("#!/bin/sh\necho 'Traceback: boom' >&2\nexit 70\n")
    broken.chmod(0o755)
    feature_repo.write("pkg/calc.py", CLEAN_MODULE + "\nimport os\n")
    feature_repo.commit("unused import")

    done = run_baton(
        "review",
        "--base",
        "main",
        "--json",
        "r.json",
        cwd=feature_repo.path,
        env={"BATON_TOOLS__BANDIT": str(broken)},
    )

    assert done.code == 3, done.stderr
    report = json.loads((feature_repo.path / "r.json").read_text())
    status = {a["name"]: a["status"] for a in report["agents"]}
    assert status["security"] == "failed"
    assert status["quality"] == "ok"
    assert any(f["rule_id"] == "F401" for f in report["findings"])
    assert "security" in done.stdout and "bandit exited with code 70" in done.stdout


def test_blocking_finding_wins_over_incomplete(feature_repo: GitRepo, tmp_path: Path) -> None:
    feature_repo.write("pkg/keys.py", f'KEY = "{AWS_KEY}"\n')
    feature_repo.commit("key")

    done = run_baton(
        "review",
        "--base",
        "main",
        cwd=feature_repo.path,
        env={"BATON_TOOLS__RUFF": str(tmp_path / "missing-ruff")},
    )

    assert done.code == 1
    assert "quality" in done.stdout and "not found" in done.stdout


def test_a_missing_tool_does_not_take_its_siblings_key_down(
    feature_repo: GitRepo, tmp_path: Path
) -> None:
    feature_repo.write("pkg/keys.py", f'KEY = "{AWS_KEY}"\n')
    feature_repo.commit("key")

    done = run_baton(
        "review",
        "--base",
        "main",
        "--json",
        "r.json",
        cwd=feature_repo.path,
        env={"BATON_TOOLS__BANDIT": str(tmp_path / "missing-bandit")},
    )

    assert done.code == 1, done.stderr
    report = json.loads((feature_repo.path / "r.json").read_text())
    [security] = [a for a in report["agents"] if a["name"] == "security"]
    assert (security["status"], security["attempts"]) == ("failed", 1)
    assert security["reason"].startswith("bandit not found")
    assert security["reason"].endswith(
        "(baton-patterns, detect-secrets finished; their findings count)"
    )
    assert [f["rule_id"] for f in report["findings"] if f["agent"] == "security"] == [
        "secret-aws-access-key"
    ]
    assert "agent security failed: bandit not found" in " ".join(report["gate"]["reasons"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["review", "--fail-on", "sometimes"], "invalid choice"),
        (["review", "--bogus"], "unrecognized arguments"),
        (["review", "--agents", "security,astrology"], "unknown agent astrology"),
        (["review", "--base", "no-such-ref"], "no-such-ref"),
        (["review", "--timeout", "-1"], "timeout"),
        (["review", "--exclude", "[z-a]"], "exclude: invalid glob"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    feature_repo: GitRepo, args: list[str], needle: str
) -> None:
    done = run_baton(*args, cwd=feature_repo.path)

    assert done.code == 2
    assert needle in done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("baton: error:")]
    assert len(errors) == 1 and needle in errors[0], done.stderr


def test_unknown_config_key_and_env_var_exit_2(feature_repo: GitRepo) -> None:
    feature_repo.write(".baton.toml", 'fail_on = "high"\nfial_on = "low"\n')
    done = run_baton("review", "--base", "main", "--trust-head-config", cwd=feature_repo.path)
    assert done.code == 2
    assert "fial_on" in done.stderr and "Traceback" not in done.stderr

    (feature_repo.path / ".baton.toml").unlink()
    done = run_baton("review", "--base", "main", cwd=feature_repo.path, env={"BATON_FAIL_ONN": "x"})
    assert done.code == 2
    assert "BATON_FAIL_ONN" in done.stderr


def test_settings_precedence_cli_over_env_over_file(feature_repo: GitRepo) -> None:
    """A HIGH finding: file says fail on high, env says critical, CLI says high again.

    The file is the working tree's (`--trust-head-config`), as when trying config locally."""
    feature_repo.write(
        "pkg/digest.py",
        "import hashlib\n\n\ndef digest(data: bytes) -> str:\n"
        "    return hashlib.md5(data).hexdigest()\n",
    )
    feature_repo.commit("shell")
    feature_repo.write("pyproject.toml", '[tool.baton]\nfail_on = "high"\n')

    by_file = run_baton("review", "--base", "main", "--trust-head-config", cwd=feature_repo.path)
    by_env = run_baton(
        "review",
        "--base",
        "main",
        "--trust-head-config",
        cwd=feature_repo.path,
        env={"BATON_FAIL_ON": "critical"},
    )
    by_cli = run_baton(
        "review",
        "--base",
        "main",
        "--trust-head-config",
        "--fail-on",
        "high",
        cwd=feature_repo.path,
        env={"BATON_FAIL_ON": "critical"},
    )

    assert (by_file.code, by_env.code, by_cli.code) == (1, 0, 1)


def test_review_of_diff_from_stdin(feature_repo: GitRepo) -> None:
    feature_repo.write("pkg/keys.py", f'KEY = "{AWS_KEY}"\n')
    feature_repo.commit("key")
    diff = feature_repo.git("diff", "main", "HEAD").encode() + b"\n"

    done = run_baton(
        "review",
        "--diff",
        "-",
        "--repo",
        str(feature_repo.path),
        cwd=feature_repo.path,
        stdin=diff,
    )

    assert done.code == 1, done.stderr
    assert "pkg/keys.py" in done.stdout


def test_version_and_module_entry_point(tmp_path: Path) -> None:
    done = run_baton("--version", cwd=tmp_path)
    assert done.code == 0
    assert done.stdout.startswith("baton ")


def test_not_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    done = run_baton("review", cwd=tmp_path)
    assert done.code == 2
    assert "Traceback" not in done.stderr


def hanging_bandit(folder: Path) -> tuple[Path, str]:
    """A tool that never ends, with a child that left its process group holding its stdout;
    and what `pgrep -f` finds its processes by (this test's own, not a parallel test's)."""
    marker = f"sleep {3000 + uuid.uuid4().int % 10**6 / 1000:.3f}"
    tool = folder / "bandit"
    tool.write_text(f"#!/bin/sh\nsetsid {marker} &\n{marker}\n")
    tool.chmod(0o755)
    return tool, marker


def leftover(marker: str) -> list[str]:
    done = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True, check=False)
    return done.stdout.split()


def test_the_timeout_holds_whatever_a_tools_children_do(
    feature_repo: GitRepo, tmp_path: Path
) -> None:
    hanging, marker = hanging_bandit(tmp_path)
    feature_repo.write(
        "pkg/calc.py", CLEAN_MODULE + "\n\ndef sub(a: int, b: int) -> int:\n    return a - b\n"
    )
    feature_repo.commit("calc")
    started = time.monotonic()

    done = run_baton(
        "review",
        *("--base", "main", "--timeout", "2", "--retries", "0"),
        cwd=feature_repo.path,
        env={"BATON_TOOLS__BANDIT": str(hanging)},
        timeout=60,
    )

    assert done.code == 3, done.stderr
    assert "security: failed" in done.stderr and "timed out after 2s" in done.stderr
    assert time.monotonic() - started < 30
    assert leftover(marker) == []


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_every_tool_writes_what_is_known_and_exits_as_signalled(
    feature_repo: GitRepo, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    hanging, marker = hanging_bandit(tmp_path)
    feature_repo.write("pkg/calc.py", CLEAN_MODULE + "\nimport os\n")
    feature_repo.commit("calc")
    report = tmp_path / "r.json"

    running = start_baton(
        "review",
        *("--base", "main", "--json", str(report)),
        cwd=feature_repo.path,
        env={"BATON_TOOLS__BANDIT": str(hanging)},
    )
    deadline = time.monotonic() + 30
    while not leftover(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    running.send_signal(sig)
    stdout, stderr = running.communicate(timeout=60)

    assert running.returncode == code, stderr.decode()
    review = json.loads(report.read_text())
    agents = {a["name"]: (a["status"], a["reason"]) for a in review["agents"]}
    assert agents["security"] == ("failed", f"interrupted by {sig.name}")
    assert agents["quality"] == ("ok", None)
    assert any(f["rule_id"] == "F401" for f in review["findings"])
    assert b"baton:summary" in stdout
    assert leftover(marker) == []
