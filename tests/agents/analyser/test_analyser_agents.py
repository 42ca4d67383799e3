"""Analyser agents through the real `baton review`: real tools writing each format, each
filter mode, and tools that hang, crash, print garbage or flood their output."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.baton_cli import Completed, review_report, run_baton
from tests.fakes.repos import GitRepo

RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
SHELLCHECK = shutil.which("shellcheck", path=str(Path(sys.executable).parent)) or "shellcheck"
PY = sys.executable
ONLY = ("--agents", "lint")


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def analyser(command: list[str], fmt: str, **extra: str) -> str:
    """A `.baton.toml` defining the analyser `lint`."""
    lines = ["[agents.lint]", f"command = {toml_list(command)}", f'format = "{fmt}"']
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def review(
    repo: GitRepo, base: dict[str, str], change: dict[str, str], *args: str
) -> tuple[Completed, dict[str, Any]]:
    repo.pull_request(base, change)
    return review_report(repo.path, *args, env={"BATON_RETRY_BACKOFF": "0.1"})


def agent(report: dict[str, Any], name: str = "lint") -> dict[str, Any]:
    return next(a for a in report["agents"] if a["name"] == name)


def found(report: dict[str, Any], name: str = "lint") -> list[tuple[str, int | None, str, str]]:
    return sorted(
        (f["path"], f["line"], f["rule_id"], f["severity"])
        for f in report["findings"]
        if f["agent"] == name
    )


RUFF_ARGS = ["check", "--isolated", "--select", "F821", "--no-cache"]


@pytest.mark.parametrize(
    ("fmt", "flags", "severity"),
    [
        ("sarif", ["--output-format", "sarif"], "HIGH"),  # ruff's SARIF level: error
        ("rdjson", ["--output-format", "rdjson"], "MEDIUM"),  # ruff's rdjson severity: WARNING
    ],
)
def test_ruff_reports_in_sarif_and_rdjson_become_findings(
    repo: GitRepo, fmt: str, flags: list[str], severity: str
) -> None:
    config = analyser([RUFF, *RUFF_ARGS, *flags, "{files}"], fmt, files='["*.py"]')
    done, report = review(
        repo,
        {".baton.toml": config, "app.py": "x = 1\n"},
        {"app.py": "x = 1\nprint(undefined_name)\n", "notes.md": "hello\n"},
        *ONLY,
        "--fail-on",
        "medium",
    )
    assert found(report) == [("app.py", 2, "F821", severity)], done.stderr
    assert agent(report)["status"] == "ok"
    assert agent(report)["files_reviewed"] == 1  # notes.md is not in files
    assert done.code == 1  # ruff exits 1 when it finds something: that is findings, not failure


def test_checkstyle_from_shellcheck(repo: GitRepo) -> None:
    config = analyser([SHELLCHECK, "--format", "checkstyle", "{files}"], "checkstyle")
    done, report = review(
        repo,
        {".baton.toml": config},
        {"deploy.sh": "#!/bin/sh\nrm -rf $1/\n"},
        *ONLY,
    )
    rules = {rule for _, _, rule, _ in found(report)}
    assert "ShellCheck.SC2086" in rules or "SC2086" in {r.rsplit(".", 1)[-1] for r in rules}
    assert all(path == "deploy.sh" for path, *_ in found(report)), done.stderr


def emitter(repo: GitRepo, diagnostics: list[tuple[str, int]], severity: str = "ERROR") -> str:
    """A script in the base that prints rdjsonl diagnostics at (path, line)."""
    lines = [
        json.dumps(
            {
                "message": f"issue at {path}:{line}",
                "location": {"path": path, "range": {"start": {"line": line}}},
                "severity": severity,
                "code": {"value": f"R{line}"},
            }
        )
        for path, line in diagnostics
    ]
    return "import sys\nsys.stdout.write(" + repr("\n".join(lines) + "\n") + ")\nsys.exit(1)\n"


BASE_TEXT = "".join(f"line {n}\n" for n in range(1, 21))
CHANGED_TEXT = BASE_TEXT.replace("line 10\n", "line 10 changed\n")
DIAGNOSTICS = [("a.txt", 10), ("a.txt", 12), ("a.txt", 20), ("other.txt", 1)]


@pytest.mark.parametrize(
    ("mode", "kept", "counted"),
    [
        ("added", {10}, {10}),
        ("diff_context", {10, 12}, {10, 12}),
        ("file", {10, 12, 20}, {10, 12, 20}),
        ("nofilter", {10, 12, 20, 1}, {10, 12, 20, 1}),
    ],
)
def test_filter_modes_keep_and_count_as_reviewdog_does(
    repo: GitRepo, mode: str, kept: set[int], counted: set[int]
) -> None:
    script = emitter(repo, DIAGNOSTICS)
    config = analyser([PY, "tools/emit.py"], "rdjsonl", filter=f'"{mode}"')
    done, report = review(
        repo,
        {".baton.toml": config, "tools/emit.py": script, "a.txt": BASE_TEXT, "other.txt": "x\n"},
        {"a.txt": CHANGED_TEXT},
        *ONLY,
        "--fail-on",
        "high",
    )
    lines = {f["line"] for f in report["findings"] if f["agent"] == "lint"}
    assert lines == kept, done.stderr
    assert report["gate"]["blocking_findings"] == len(counted)
    assert done.code == 1
    placements = {f["line"]: f["placement"] for f in report["findings"] if f["agent"] == "lint"}
    if mode == "nofilter":
        assert placements[1] == "elsewhere"


def test_added_filter_ignores_findings_off_the_change_so_the_gate_passes(repo: GitRepo) -> None:
    script = emitter(repo, [("a.txt", 20), ("other.txt", 1)])
    config = analyser([PY, "tools/emit.py"], "rdjsonl")
    done, report = review(
        repo,
        {".baton.toml": config, "tools/emit.py": script, "a.txt": BASE_TEXT, "other.txt": "x\n"},
        {"a.txt": CHANGED_TEXT},
        *ONLY,
    )
    assert found(report) == []
    assert done.code == 0, done.stderr


def test_report_written_to_an_output_file(repo: GitRepo) -> None:
    sarif = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "mytool"}},
                "results": [
                    {
                        "ruleId": "M1",
                        "level": "error",
                        "message": {"text": "bad"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "a.txt"},
                                    "region": {"startLine": 10},
                                }
                            }
                        ],
                    }
                ],
            }
        ],
    }
    script = (
        "import json, pathlib\n"
        f"pathlib.Path('out').mkdir(exist_ok=True)\n"
        f"pathlib.Path('out/r.sarif').write_text(json.dumps({sarif!r}))\n"
    )
    config = analyser([PY, "tools/write.py"], "sarif", output='"out/r.sarif"')
    done, report = review(
        repo,
        {".baton.toml": config, "tools/write.py": script, "a.txt": BASE_TEXT},
        {"a.txt": CHANGED_TEXT},
        *ONLY,
        "--fail-on",
        "high",
    )
    assert found(report) == [("a.txt", 10, "M1", "HIGH")], done.stderr
    assert done.code == 1


def test_file_names_never_become_options(repo: GitRepo) -> None:
    """The tool gets `./-rf.txt`: a name starting with `-` stays a path."""
    script = (
        "import json, sys\n"
        "for arg in sys.argv[1:]:\n"
        "    assert arg.startswith('./'), arg\n"
        "    print(json.dumps({'message': 'seen', 'location': {'path': arg, "
        "'range': {'start': {'line': 1}}}, 'severity': 'ERROR'}))\n"
    )
    config = analyser([PY, "tools/echo.py", "{files}"], "rdjsonl")
    done, report = review(
        repo,
        {".baton.toml": config, "tools/echo.py": script},
        {"-rf.txt": "x\n", "--help.txt": "y\n"},
        *ONLY,
        "--fail-on",
        "high",
    )
    assert {path for path, *_ in found(report)} == {"-rf.txt", "--help.txt"}, done.stderr


FAILING = [
    pytest.param(
        [PY, "-c", "import sys; sys.stderr.write('lint: config broken\\n'); sys.exit(3)"],
        "config broken",
        id="crash-with-stderr",
    ),
    pytest.param([PY, "-c", "print('hello, not a report')"], "rdjsonl", id="garbage"),
    pytest.param(
        [PY, "-c", "import sys; sys.stdout.write('x' * 100_000_000)"], "rdjsonl", id="100MB"
    ),
    pytest.param([PY, "-c", "import time; time.sleep(60)"], "timed out", id="hangs"),
    pytest.param(["/nonexistent/lint"], "not found", id="missing-binary"),
]


@pytest.mark.parametrize(("command", "reason"), FAILING)
def test_a_failing_tool_fails_its_agent_and_the_review_is_incomplete(
    repo: GitRepo, command: list[str], reason: str
) -> None:
    config = analyser(command, "rdjsonl", timeout="3", retries="0")
    done, report = review(repo, {".baton.toml": config}, {"a.txt": "x\n"}, *ONLY)
    assert done.code == 3, done.stderr
    assert agent(report)["status"] == "failed"
    assert reason in agent(report)["reason"]
    assert "Traceback" not in done.stderr


def test_a_command_the_change_adds_is_not_run(repo: GitRepo, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    script = f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n"
    config = analyser([PY, "tools/pwn.py"], "rdjsonl")
    done, report = review(
        repo,
        {".baton.toml": 'fail_on = "critical"\n'},
        {".baton.toml": config, "tools/pwn.py": script},
    )
    assert not marker.exists()
    assert "lint" not in {a["name"] for a in report["agents"]}
    assert "configuration changed" in done.stderr + json.dumps(report["notes"])


def test_a_working_tree_command_runs_only_when_vouched_for(repo: GitRepo, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    repo.write(".baton.toml", analyser([PY, "-c", f"open({str(marker)!r}, 'w')"], "rdjsonl"))
    repo.write("a.txt", "x\n")
    diff = "--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+x\n"
    (tmp_path / "change.diff").write_text(diff)
    done = run_baton("review", "--diff", str(tmp_path / "change.diff"), cwd=repo.path)
    assert not marker.exists()
    assert "analysers lint" in done.stderr and "not run" in done.stderr


BAD_CONFIG = [
    pytest.param(
        '[agents.lint]\ncommand = ["x"]\nformat = "pmd"\n', "agents.lint.format", id="fmt"
    ),
    pytest.param('[agents.lint]\nformat = "sarif"\n', "with command", id="no-command"),
    pytest.param('[agents.lint]\ncommand = ["x"]\n', "needs format", id="no-format"),
    pytest.param('[agents.lint]\ncommand = []\nformat = "sarif"\n', "command", id="empty"),
    pytest.param(
        '[agents.lint]\ncommand = ["x", "--f={files}"]\nformat = "sarif"\n',
        "whole argument",
        id="files-inside-an-argument",
    ),
    pytest.param(
        '[agents.security]\nfilter = "file"\n', "only to an analyser", id="builtin-filter"
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD_CONFIG)
def test_bad_analyser_config_is_one_line_and_exit_2(
    repo: GitRepo, config: str, message: str
) -> None:
    repo.pull_request({".baton.toml": config}, {"a.txt": "x\n"})
    done = run_baton("review", "--base", "main", cwd=repo.path)
    assert done.code == 2
    error = [line for line in done.stderr.splitlines() if line.startswith("baton: error: ")]
    assert len(error) == 1 and message in error[0], done.stderr
    assert "Traceback" not in done.stderr


def test_an_rdjsonl_tool_that_finds_nothing_prints_nothing(repo: GitRepo) -> None:
    config = analyser([PY, "-c", "pass"], "rdjsonl")
    done, report = review(repo, {".baton.toml": config}, {"a.txt": "x\n"}, *ONLY)
    assert agent(report)["status"] == "ok", done.stderr
    assert done.code == 0
