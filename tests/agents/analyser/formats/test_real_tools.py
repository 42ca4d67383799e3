"""Reports written by real tools (ruff, zizmor, hadolint, shellcheck), read as a user sees them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from baton.agents.analyser.formats import ReportFormat, guess_format, parse_report
from baton.findings.model import Finding, Severity

BIN = Path(sys.executable).parent

PYTHON_SOURCE = "import os\nimport sys\n\n\ndef f():\n    return undefined_name\n"
DOCKERFILE = "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\nRUN cd /tmp && ls\n"
SHELL_SCRIPT = "#!/bin/sh\necho $1\ncd foo\n"
WORKFLOW = """\
on: pull_request_target
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
"""

FILES = {
    "pkg/a.py": PYTHON_SOURCE,
    "docker/Dockerfile": DOCKERFILE,
    "scripts/s.sh": SHELL_SCRIPT,
    ".github/workflows/ci.yml": WORKFLOW,
}


@dataclass(frozen=True)
class ToolRun:
    name: str
    command: tuple[str, ...]
    fmt: ReportFormat
    expected: frozenset[tuple[str, int | None, str, Severity]]
    tool: str | None


RUNS = [
    ToolRun(
        "ruff-sarif",
        ("ruff", "check", "--no-cache", "--isolated", "--output-format", "sarif", "pkg/a.py"),
        ReportFormat.SARIF,
        frozenset(
            {
                ("pkg/a.py", 1, "F401", Severity.HIGH),
                ("pkg/a.py", 2, "F401", Severity.HIGH),
                ("pkg/a.py", 6, "F821", Severity.HIGH),
            }
        ),
        "ruff",
    ),
    ToolRun(
        "ruff-rdjson",
        ("ruff", "check", "--no-cache", "--isolated", "--output-format", "rdjson", "pkg/a.py"),
        ReportFormat.RDJSON,
        frozenset(
            {
                ("pkg/a.py", 1, "F401", Severity.MEDIUM),
                ("pkg/a.py", 2, "F401", Severity.MEDIUM),
                ("pkg/a.py", 6, "F821", Severity.MEDIUM),
            }
        ),
        "ruff",
    ),
    ToolRun(
        "zizmor-sarif",
        ("zizmor", "--format", "sarif", "--offline", ".github/workflows/ci.yml"),
        ReportFormat.SARIF,
        frozenset(
            {
                (".github/workflows/ci.yml", 1, "zizmor/dangerous-triggers", Severity.HIGH),
                (".github/workflows/ci.yml", 8, "zizmor/template-injection", Severity.HIGH),
            }
        ),
        "zizmor",
    ),
    ToolRun(
        "hadolint-sarif",
        ("hadolint", "-f", "sarif", "docker/Dockerfile"),
        ReportFormat.SARIF,
        frozenset(
            {
                ("docker/Dockerfile", 1, "DL3006", Severity.MEDIUM),
                ("docker/Dockerfile", 2, "DL3015", Severity.LOW),
                ("docker/Dockerfile", 2, "DL3008", Severity.MEDIUM),
                ("docker/Dockerfile", 3, "DL3003", Severity.MEDIUM),
            }
        ),
        "Hadolint",
    ),
    ToolRun(
        "hadolint-checkstyle",
        ("hadolint", "-f", "checkstyle", "docker/Dockerfile"),
        ReportFormat.CHECKSTYLE,
        frozenset(
            {
                ("docker/Dockerfile", 1, "DL3006", Severity.MEDIUM),
                ("docker/Dockerfile", 2, "DL3015", Severity.LOW),
                ("docker/Dockerfile", 2, "DL3008", Severity.MEDIUM),
                ("docker/Dockerfile", 3, "DL3003", Severity.MEDIUM),
            }
        ),
        None,
    ),
    ToolRun(
        "shellcheck-checkstyle",
        ("shellcheck", "-f", "checkstyle", "scripts/s.sh"),
        ReportFormat.CHECKSTYLE,
        frozenset(
            {
                ("scripts/s.sh", 2, "ShellCheck.SC2086", Severity.LOW),
                ("scripts/s.sh", 3, "ShellCheck.SC2164", Severity.MEDIUM),
            }
        ),
        None,
    ),
]


def executable(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed beside the test interpreter")
    return found


def run_tool(command: tuple[str, ...], cwd: Path) -> str:
    done = subprocess.run(
        [executable(command[0]), *command[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip(), f"{command[0]} wrote nothing: {done.stderr[-500:]}"
    return done.stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def seen(findings: tuple[Finding, ...]) -> set[tuple[str, int | None, str, Severity]]:
    return {(f.path, f.line, f.rule_id, f.severity) for f in findings}


@pytest.mark.parametrize("run", RUNS, ids=[run.name for run in RUNS])
def test_real_report_gives_the_findings_a_user_sees(run: ToolRun, checkout: Path) -> None:
    output = run_tool(run.command, checkout)

    report = parse_report(run.fmt, output, root=checkout, agent="analyser")

    assert run.expected <= seen(report.findings)
    assert report.tool == run.tool
    assert report.unplaced == ()
    for finding in report.findings:
        assert finding.agent == "analyser"
        assert finding.title and "\n" not in finding.title and len(finding.title) <= 120
        assert finding.message
        finding.model_dump_json()


@pytest.mark.parametrize("run", RUNS, ids=[run.name for run in RUNS])
def test_real_report_is_recognised_by_its_content(run: ToolRun, checkout: Path) -> None:
    output = run_tool(run.command, checkout)

    assert guess_format("report.out", output) is run.fmt


@pytest.mark.parametrize("run", RUNS, ids=[run.name for run in RUNS])
def test_report_made_in_another_checkout_is_placed_by_known_paths(
    run: ToolRun, checkout: Path, tmp_path: Path
) -> None:
    """The tool ran in `checkout`; baton reviews the same files under another root."""
    output = run_tool((*run.command[:-1], str(checkout / run.command[-1])), checkout)
    elsewhere = tmp_path / "builds" / "app"

    placed = parse_report(
        run.fmt, output, root=elsewhere, agent="analyser", known_paths=frozenset(FILES)
    )
    unknown = parse_report(run.fmt, output, root=elsewhere, agent="analyser")

    assert run.expected <= seen(placed.findings)
    assert placed.unplaced == ()
    assert unknown.findings == ()
    assert unknown.unplaced == (str(checkout / run.command[-1]),)


def test_ruff_sarif_keeps_rule_links_and_fix_descriptions(checkout: Path) -> None:
    output = run_tool(RUNS[0].command, checkout)

    report = parse_report(ReportFormat.SARIF, output, root=checkout, agent="quality")

    unused = next(f for f in report.findings if f.rule_id == "F401" and f.line == 1)
    assert unused.title == "`os` imported but unused"
    assert unused.rule_url == "https://docs.astral.sh/ruff/rules/unused-import"
    assert unused.recommendation == "Remove unused import: `os`"


def test_ruff_rdjson_suggestions_become_recommendations(checkout: Path) -> None:
    output = run_tool(RUNS[1].command, checkout)

    report = parse_report(ReportFormat.RDJSON, output, root=checkout, agent="quality")

    unused = next(f for f in report.findings if f.rule_id == "F401" and f.line == 1)
    assert unused.rule_url == "https://docs.astral.sh/ruff/rules/unused-import"
    assert unused.recommendation == "Suggested fix: delete the code (line 1)."


@pytest.mark.parametrize(
    ("command", "fmt"),
    [
        (
            ("ruff", "check", "--no-cache", "--isolated", "--output-format", "sarif", "ok.py"),
            "sarif",
        ),
        (
            ("ruff", "check", "--no-cache", "--isolated", "--output-format", "rdjson", "ok.py"),
            "rdjson",
        ),
        (("hadolint", "-f", "sarif", "Dockerfile"), "sarif"),
        (("hadolint", "-f", "checkstyle", "Dockerfile"), "checkstyle"),
        (("shellcheck", "-f", "checkstyle", "ok.sh"), "checkstyle"),
    ],
)
def test_clean_run_of_a_real_tool_has_no_findings(
    command: tuple[str, ...], fmt: str, tmp_path: Path
) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:22.04\n")
    (tmp_path / "ok.sh").write_text("#!/bin/sh\necho ok\n")

    report = parse_report(
        ReportFormat(fmt), run_tool(command, tmp_path), root=tmp_path, agent="analyser"
    )

    assert report.findings == ()
    assert report.unplaced == ()


@pytest.mark.parametrize(
    ("command", "fmt", "name", "text"),
    [
        (
            ("ruff", "check", "--no-cache", "--isolated", "--output-format", "sarif"),
            ReportFormat.SARIF,
            "my dir/ü b.py",
            "import os\n",
        ),
        (
            ("ruff", "check", "--no-cache", "--isolated", "--output-format", "rdjson"),
            ReportFormat.RDJSON,
            "my dir/ü b.py",
            "import os\n",
        ),
        (("hadolint", "-f", "sarif"), ReportFormat.SARIF, "my dir/Docker 100%", "FROM ubuntu\n"),
        (("shellcheck", "-f", "checkstyle"), ReportFormat.CHECKSTYLE, "my dir/ü &.sh", "echo $1\n"),
    ],
)
def test_file_names_with_spaces_and_non_ascii_letters(
    command: tuple[str, ...], fmt: ReportFormat, name: str, text: str, tmp_path: Path
) -> None:
    (tmp_path / name).parent.mkdir()
    (tmp_path / name).write_text(text)

    report = parse_report(fmt, run_tool((*command, name), tmp_path), root=tmp_path, agent="a")

    assert {f.path for f in report.findings} == {name}
    assert all(f.line == 1 for f in report.findings)
