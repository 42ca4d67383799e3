"""The workflows agent with the real zizmor, offline, on workflows a pull request could add."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.agents.builtin.workflows import WorkflowsAgent, is_actions_file, severity_for
from baton.change.model import ChangedFile, FileStatus
from baton.findings.model import Confidence, Severity
from baton.settings import Settings
from tests.agents.builtin.agent_harness import new_file, run_agent
from tests.agents.builtin.ci_support import (
    marker_notes,
    new_file_git_lines,
    rows,
)

PINNED = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2"
CRITICAL, HIGH, MEDIUM = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM

INJECTION = """\
name: greet
on:
  pull_request:
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
"""

TARGET = """\
name: preview
on:
  pull_request_target:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: PINNED
        with:
          ref: ${{ github.event.pull_request.head.sha }}
          persist-credentials: false
      - run: make preview
""".replace("PINNED", PINNED)

CLEAN = """\
name: test
on:
  push:
  pull_request:
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: PINNED
        with:
          persist-credentials: false
      - run: make test
""".replace("PINNED", PINNED)

CHECKOUT = CLEAN.replace("        with:\n          persist-credentials: false\n", "")

COMPOSITE = """\
name: notify
description: Posts the issue title
inputs:
  channel:
    description: where to post
runs:
  using: composite
  steps:
    - shell: bash
      run: ./notify "${{ inputs.channel }}" "${{ github.event.issue.title }}"
"""


def review(tmp_path: Path, files: dict[str, str], **kwargs: object):
    root = tmp_path / "repo"
    changed = [new_file(root, path, text) for path, text in files.items()]
    return run_agent(WorkflowsAgent(), root, changed, **kwargs)  # type: ignore[arg-type]


def test_a_pull_request_title_expanded_into_run_is_critical(tmp_path: Path) -> None:
    output = review(tmp_path, {".github/workflows/greet.yml": INJECTION})

    assert rows(output) == {
        ("template-injection", CRITICAL, 9),
        ("unpinned-uses", HIGH, 8),
        ("artipacked", MEDIUM, 8),
        ("excessive-permissions", MEDIUM, 5),
    }
    [injection] = [f for f in output.findings if f.rule_id == "template-injection"]
    assert injection.confidence is Confidence.HIGH
    assert injection.rule_url == "https://docs.zizmor.sh/audits/#template-injection"
    assert "env:" in (injection.recommendation or "")
    assert output.summary == "zizmor (offline) on 1 file"


def test_pull_request_target_checking_out_the_head_is_critical_on_both_lines(
    tmp_path: Path,
) -> None:
    """The checkout of the head (BTN901) makes zizmor's trigger finding CRITICAL too: a
    change that only turns `pull_request` into `pull_request_target` adds just that line."""
    output = review(tmp_path, {".github/workflows/preview.yml": TARGET})

    assert rows(output) == {("dangerous-triggers", CRITICAL, 3), ("BTN901", CRITICAL, 12)}
    [trigger] = [f for f in output.findings if f.rule_id == "dangerous-triggers"]
    assert trigger.original_severity is HIGH
    assert "pwn request" in trigger.message
    assert trigger.confidence is Confidence.MEDIUM
    assert "pull_request_target" in (trigger.recommendation or "")


def test_pull_request_target_without_a_checkout_of_the_head_keeps_zizmors_severity(
    tmp_path: Path,
) -> None:
    safe = TARGET.replace("          ref: ${{ github.event.pull_request.head.sha }}\n", "")
    output = review(tmp_path, {".github/workflows/preview.yml": safe})

    assert ("dangerous-triggers", HIGH, 3) in rows(output)
    assert not any(f.rule_id == "BTN901" for f in output.findings)


def test_checkout_without_persist_credentials_is_medium(tmp_path: Path) -> None:
    output = review(tmp_path, {".github/workflows/test.yml": CHECKOUT})

    assert rows(output) == {("artipacked", MEDIUM, 12)}
    assert output.findings[0].confidence is Confidence.LOW


def test_a_clean_workflow_with_pinned_actions_has_nothing_high(tmp_path: Path) -> None:
    output = review(tmp_path, {".github/workflows/test.yml": CLEAN})

    assert output.findings == []


def test_a_composite_action_is_audited_wherever_it_lives(tmp_path: Path) -> None:
    output = review(tmp_path, {"tools/notify/action.yml": COMPOSITE})

    assert rows(output) == {("template-injection", CRITICAL, 10)}
    assert {f.path for f in output.findings} == {"tools/notify/action.yml"}


def test_the_dependabot_configuration_is_audited(tmp_path: Path) -> None:
    text = "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
    text += "    schedule:\n      interval: daily\n"
    output = review(tmp_path, {".github/dependabot.yml": text})

    assert rows(output) == {("dependabot-cooldown", MEDIUM, 3)}


@pytest.mark.parametrize(
    ("text", "severity", "title"),
    [
        ("on: push\njobs:\n  a: [\n", HIGH, "its YAML does not parse"),
        ("on: push\njobs:\n  a:\n    stepz: []\n", MEDIUM, "it does not match zizmor's schema"),
    ],
)
def test_a_file_zizmor_cannot_read_is_a_whole_file_finding(
    tmp_path: Path, text: str, severity: Severity, title: str
) -> None:
    output = review(
        tmp_path, {".github/workflows/broken.yml": text, ".github/workflows/ok.yml": INJECTION}
    )

    [broken] = [f for f in output.findings if f.path == ".github/workflows/broken.yml"]
    assert (broken.rule_id, broken.severity, broken.line) == ("unauditable", severity, None)
    assert broken.title == f"zizmor cannot audit this file: {title}"
    assert "failed to" in broken.message
    assert ("template-injection", CRITICAL, 9) in rows(output, ".github/workflows/ok.yml")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (".github/workflows/ci.yml", None),
        (".github/workflows/release.yaml", None),
        ("action.yml", None),
        ("deep/path/action.yaml", None),
        (".github/dependabot.yml", None),
        (".github/workflows/nested/ci.yml", "not a GitHub workflow or action"),
        (".github/workflows/README.md", "not a GitHub workflow or action"),
        ("ci.yml", "not a GitHub workflow or action"),
        ("docs/dependabot.yml", "not a GitHub workflow or action"),
        (".gitlab-ci.yml", "not a GitHub workflow or action"),
    ],
)
def test_only_actions_files_are_accepted(path: str, reason: str | None) -> None:
    file = ChangedFile(path=path, status=FileStatus.ADDED)
    assert WorkflowsAgent().accepts(file) == reason
    assert is_actions_file(path) is (reason is None)


def test_the_severity_map() -> None:
    assert severity_for("template-injection", "High", "High") is CRITICAL
    assert severity_for("template-injection", "High", "Medium") is HIGH
    assert severity_for("template-injection", "Medium", "High") is MEDIUM
    assert severity_for("dangerous-triggers", "High", "Medium") is HIGH
    assert severity_for("dangerous-triggers", "Medium", "Low") is MEDIUM
    assert severity_for("unpinned-uses", "Low", "High") is Severity.LOW
    assert severity_for("obfuscation", "Informational", "High") is Severity.INFO
    assert severity_for("anything", "Unknown", "Unknown") is Severity.INFO


# Hostile changes


@pytest.mark.parametrize("name", ["-rf.yml", "--help.yml", "--config=x.yml"])
def test_file_names_that_look_like_options_are_files(tmp_path: Path, name: str) -> None:
    output = review(tmp_path, {f".github/workflows/{name}": INJECTION})

    assert ("template-injection", CRITICAL, 9) in rows(output, f".github/workflows/{name}")


@pytest.mark.parametrize("where", [".github/zizmor.yml", "zizmor.yml"])
def test_a_zizmor_config_the_change_adds_disables_nothing(tmp_path: Path, where: str) -> None:
    rules = ["template-injection", "unpinned-uses", "artipacked", "excessive-permissions"]
    config = "rules:\n" + "".join(f"  {rule}:\n    disable: true\n" for rule in rules)
    output = review(tmp_path, {where: config, ".github/workflows/greet.yml": INJECTION})

    assert ("template-injection", CRITICAL, 9) in rows(output)
    assert len(output.findings) == 4


def test_an_inline_ignore_is_not_honoured_and_is_noted(tmp_path: Path) -> None:
    text = INJECTION.replace('title }}"', 'title }}"  # zizmor: ignore[template-injection]')
    root = tmp_path / "repo"
    file = new_file(root, ".github/workflows/greet.yml", text)

    output = run_agent(WorkflowsAgent(), root, [file])
    honoured = run_agent(
        WorkflowsAgent(), root, [file], settings=Settings(honor_tool_suppressions=True)
    )

    assert ("template-injection", CRITICAL, 9) in rows(output)
    assert marker_notes([file]) == [
        (
            ".github/workflows/greet.yml",
            9,
            "tool suppression not honoured: `# zizmor: ignore` (zizmor)",
        )
    ]
    assert "template-injection" not in {f.rule_id for f in honoured.findings}


def test_a_zizmor_config_in_the_environment_does_not_break_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZIZMOR_CONFIG", str(tmp_path / "absent.yml"))

    output = review(tmp_path, {".github/workflows/greet.yml": INJECTION})

    assert ("template-injection", CRITICAL, 9) in rows(output)


def test_line_numbers_are_gits_with_cr_only_line_ends(tmp_path: Path) -> None:
    """zizmor counts a bare CR as a line end, git does not: the comment lands on git's line."""
    root = tmp_path / "repo"
    file = new_file_git_lines(root, ".github/workflows/greet.yml", "# a\r# b\r" + INJECTION)

    output = run_agent(WorkflowsAgent(), root, [file])

    assert ("template-injection", CRITICAL, 9) in rows(output)
    assert file.lines[9].startswith("      - run: echo")
