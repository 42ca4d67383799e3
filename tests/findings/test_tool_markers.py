"""The tools' own suppression markers a change adds: each added line holding one is reported."""

from __future__ import annotations

import pytest

from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.findings.model import Confidence, Severity
from baton.findings.tool_markers import tool_marker_findings

NOSEC = "`# nosec` (bandit)"
NOQA = "`# noqa` (ruff)"
RUFF_NOQA = "`# ruff: noqa` (ruff)"
ALLOWLIST = "`pragma: allowlist secret` (detect-secrets)"
SHELLCHECK = "`# shellcheck disable` (shellcheck)"
HADOLINT = "`# hadolint ignore` (hadolint)"
ZIZMOR = "`# zizmor: ignore` (zizmor)"


def file_of(
    lines: dict[int, str], added: set[int] | None = None, path: str = "app.py"
) -> ChangedFile:
    return ChangedFile(
        path=path,
        status=FileStatus.MODIFIED,
        lines=lines,
        added_lines=frozenset(lines if added is None else added),
    )


def change_of(*files: ChangedFile) -> ChangeSet:
    return ChangeSet(root=".", files=files)


def titles(change: ChangeSet, honored: bool = False) -> list[tuple[str, int | None, str]]:
    return [(f.path, f.line, f.title) for f in tool_marker_findings(change, honored=honored)]


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("subprocess.call(cmd, shell=True)  # nosec", NOSEC),
        ("subprocess.call(cmd, shell=True)  #nosec B602", NOSEC),
        ("eval(x)  # NOSEC: trusted input", NOSEC),
        ("import os  # noqa", NOQA),
        ("import os  # noqa: F401", NOQA),
        ("import os  #NoQA:F401,E501", NOQA),
        ("# ruff: noqa", RUFF_NOQA),
        ("# ruff: noqa: F401", RUFF_NOQA),
        ("# flake8: noqa", RUFF_NOQA),
        ("#flake8:noqa", RUFF_NOQA),
        ('key = "AKIAIOSFODNN7EXAMPLE"  # pragma: allowlist secret', ALLOWLIST),
        ("// pragma: allowlist nextline secret", ALLOWLIST),
        ("# pragma: allowlist-nextline-secret", ALLOWLIST),
        ("# pragma: whitelist secret", ALLOWLIST),
        ("x = 1  # noqa  # nosec", f"{NOSEC}, {NOQA}"),
        ('t = "k"  # nosec # pragma: allowlist secret', f"{NOSEC}, {ALLOWLIST}"),
        ("# ruff: noqa  # nosec", f"{NOSEC}, {RUFF_NOQA}"),
        ("# shellcheck disable=SC2086", SHELLCHECK),
        ("#shellcheck disable=all", SHELLCHECK),
        ("  # shellcheck source=/dev/null disable=SC1090,SC2086", SHELLCHECK),
        ("rm -rf $dir/ # shellcheck disable=SC2115", SHELLCHECK),
        ("# hadolint ignore=DL3008,DL3015", HADOLINT),
        ("# hadolint global ignore=DL3003", HADOLINT),
        ("#hadolint ignore=DL3008", HADOLINT),
        ("      - run: echo hi  # zizmor: ignore[template-injection]", ZIZMOR),
        ("# zizmor:ignore[artipacked,unpinned-uses]", ZIZMOR),
        ("RUN make  # hadolint ignore=DL3059  # nosec", f"{NOSEC}, {HADOLINT}"),
    ],
)
def test_each_marker_on_an_added_line_is_named_with_its_tool(line: str, shown: str) -> None:
    assert titles(change_of(file_of({3: line}))) == [
        ("app.py", 3, f"tool suppression not honoured: {shown}")
    ]


@pytest.mark.parametrize(
    "line",
    [
        "password = get_secret()",
        "nosec = True",
        "# nosecurity review needed",
        "value = 'noqa'",
        "# noqa_helper()",
        "# pragma: no cover",
        "# pragma: allowlist",
        "# baton: ignore[B602] the command is a constant list",
        "# shellcheck shell=bash",
        "# shellcheck source=lib/common.sh",
        "# shellcheck disable-next-line=SC2086",
        "echo shellcheck disable=SC2086",
        "# hadolint shell=powershell",
        "# zizmor is run offline in CI",
        "",
    ],
)
def test_lines_without_a_tool_marker_give_nothing(line: str) -> None:
    assert tool_marker_findings(change_of(file_of({1: line})), honored=False) == []


def test_markers_on_context_or_removed_lines_give_nothing() -> None:
    file = ChangedFile(
        path="app.py",
        status=FileStatus.MODIFIED,
        lines={1: "import os  # noqa", 2: "x = 1", 3: "run(x)  # nosec"},
        added_lines=frozenset({2}),
        old_lines={2: "x = 0  # nosec"},
    )

    assert tool_marker_findings(change_of(file), honored=False) == []


def test_one_finding_per_line_in_file_and_line_order() -> None:
    first = file_of(
        {9: "b()  # nosec", 2: "a()  # noqa", 5: "plain()", 7: "ctx()  # noqa"},
        added={9, 2, 5},
        path="b.py",
    )
    second = file_of({1: "k = 1  # pragma: allowlist secret"}, path="a.py")

    assert titles(change_of(first, second)) == [
        ("b.py", 2, f"tool suppression not honoured: {NOQA}"),
        ("b.py", 9, f"tool suppression not honoured: {NOSEC}"),
        ("a.py", 1, f"tool suppression not honoured: {ALLOWLIST}"),
    ]


def test_the_finding_is_baton_info_saying_the_marker_is_ignored() -> None:
    [finding] = tool_marker_findings(change_of(file_of({4: "run()  # nosec"})), honored=False)

    assert (finding.agent, finding.rule_id) == ("baton", "baton-tool-suppression")
    assert finding.severity is Severity.INFO
    assert finding.confidence is Confidence.HIGH
    assert (finding.path, finding.line) == ("app.py", 4)
    assert finding.title == f"tool suppression not honoured: {NOSEC}"
    assert "ignored" in finding.message
    assert "baton: ignore[RULE] reason" in finding.message


def test_when_honoured_the_finding_says_what_the_marker_hides() -> None:
    [finding] = tool_marker_findings(
        change_of(file_of({4: "run()  # nosec  # noqa"})), honored=True
    )

    assert finding.title == f"tool suppression added: {NOSEC}, {NOQA}"
    assert "honor_tool_suppressions" in finding.message
    assert finding.severity is Severity.INFO


def test_a_change_without_files_gives_nothing() -> None:
    assert tool_marker_findings(ChangeSet(root="."), honored=True) == []
