"""Inline `baton: ignore[RULE] why` markers, and the findings about markers a change adds."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.change.source import load_change
from baton.findings.model import Finding, Severity
from baton.findings.suppress import apply_suppressions, parse_markers, suppressed_rules
from baton.findings.suppression_notes import suppression_findings
from tests.fakes.repos import GitRepo


def make(lines: dict[int, str], added: set[int] | None = None, path: str = "a.py") -> ChangeSet:
    file = ChangedFile(
        path=path,
        status=FileStatus.MODIFIED,
        lines=lines,
        added_lines=frozenset(lines if added is None else added),
    )
    return ChangeSet(root=".", files=(file,))


def finding(
    line: int, rule: str, end_line: int | None = None, severity: Severity = Severity.HIGH
) -> Finding:
    return Finding(
        agent="security",
        rule_id=rule,
        severity=severity,
        path="a.py",
        line=line,
        end_line=end_line,
        title="t",
    )


@pytest.mark.parametrize(
    ("line", "rules", "reason"),
    [
        ("x = 1  # baton: ignore[B602, F401] input is a constant list", ("B602", "F401"),
         "input is a constant list"),
        ("int x; // baton:ignore[secret-aws-access-key] -- test fixture, not a real key",
         ("secret-aws-access-key",), "test fixture, not a real key"),
        ("call(); /* baton: ignore[B603]: arguments are fixed */", ("B603",),
         "arguments are fixed"),
        ("<!-- baton: ignore[secret-jwt-token] — sample token from the RFC -->",
         ("secret-jwt-token",), "sample token from the RFC"),
        ("SELECT * FROM t; -- baton: ignore[B608] - table name is a literal", ("B608",),
         "table name is a literal"),
    ],
)  # fmt: skip
def test_reason_is_read_in_every_comment_syntax(
    line: str, rules: tuple[str, ...], reason: str
) -> None:
    [marker] = parse_markers(line)
    assert marker.rules == rules
    assert marker.reason == reason
    assert suppressed_rules(line) == frozenset(rules)


@pytest.mark.parametrize(
    "line",
    [
        "x = 1  # baton: ignore[B602]",
        "x = 1  # baton: ignore[B602] -- ",
        "call(); /* baton: ignore[B603] */",
        "<!-- baton: ignore[B603] -->",
        "x = 1  # baton: ignore[B602]: ...",
    ],
)
def test_marker_without_a_reason_has_none_and_suppresses_no_rule(line: str) -> None:
    [marker] = parse_markers(line)
    assert marker.reason is None
    assert suppressed_rules(line) == frozenset()


def test_lines_without_a_rule_hold_no_marker() -> None:
    assert parse_markers("# baton: ignore") == []
    assert parse_markers("# baton: ignore[] because") == []


def test_two_markers_on_one_line_keep_their_own_reasons() -> None:
    line = "x  # baton: ignore[B602] shell is fixed  # baton: ignore[F401]"
    first, second = parse_markers(line)
    assert (first.rules, first.reason) == (("B602",), "shell is fixed")
    assert (second.rules, second.reason) == (("F401",), None)
    assert suppressed_rules(line) == {"B602"}


def test_suppressed_by_exact_rule_only_with_the_reason_reported() -> None:
    change = make(
        {
            1: "run(x, shell=True)  # baton: ignore[B602] command is a constant list",
            2: 'p = "x"  # baton: ignore[S105] -- an alias does not count',
            3: "eval(x)  # baton: ignore[B602] wrong rule for this line",
            4: 'k = "AKIA..."  # baton: ignore[B105] silences bandit, not detect-secrets',
            5: 'k = "AKIA..."  # baton: ignore[secret-keyword] not the AWS key rule',
        }
    )
    kept, silenced = apply_suppressions(
        [
            finding(1, "B602"),
            finding(2, "B105"),
            finding(3, "B307"),
            finding(4, "B105"),
            finding(4, "secret-aws-access-key"),
            finding(5, "secret-aws-access-key"),
        ],
        change,
        Severity.HIGH,
    )
    assert [(f.line, f.rule_id) for f in kept] == [
        (2, "B105"),
        (3, "B307"),
        (4, "secret-aws-access-key"),
        (5, "secret-aws-access-key"),
    ]
    assert [(s.finding.line, s.reason, s.justification) for s in silenced] == [
        (1, "baton: ignore[B602]", "command is a constant list"),
        (4, "baton: ignore[B105]", "silences bandit, not detect-secrets"),
    ]


@pytest.mark.parametrize(
    ("limit", "silenced_up_to"),
    [
        (Severity.HIGH, Severity.HIGH),
        (Severity.MEDIUM, Severity.MEDIUM),
        (Severity.CRITICAL, Severity.CRITICAL),
        (None, None),
    ],
)
def test_a_marker_silences_nothing_above_the_limit(
    limit: Severity | None, silenced_up_to: Severity | None
) -> None:
    change = make({1: "run(x)  # baton: ignore[R1] reviewed by the team"})
    findings = [finding(1, "R1", severity=s) for s in Severity.ordered()]
    kept, silenced = apply_suppressions(findings, change, limit)
    expected = {s for s in Severity.ordered() if silenced_up_to and silenced_up_to.at_least(s)}
    assert {s.finding.severity for s in silenced} == expected
    assert {f.severity for f in kept} == set(Severity.ordered()) - expected
    assert all("does not silence it" in f.message for f in kept)


def test_marker_without_a_reason_suppresses_nothing() -> None:
    change = make({1: "run(x, shell=True)  # baton: ignore[B602]"})
    kept, silenced = apply_suppressions([finding(1, "B602")], change, Severity.HIGH)
    assert [f.rule_id for f in kept] == ["B602"]
    assert silenced == []


def test_marker_on_the_last_line_of_a_finding_suppresses_it() -> None:
    change = make({4: "run(", 5: "  x, shell=True)  // baton: ignore[B602] vetted by security"})
    kept, silenced = apply_suppressions([finding(4, "B602", end_line=5)], change, Severity.HIGH)
    assert kept == []
    assert [s.justification for s in silenced] == ["vetted by security"]


def test_added_marker_with_a_reason_is_reported_as_info() -> None:
    change = make({7: "run(cmd, shell=True)  # baton: ignore[B602] input is a constant list"})
    [note] = suppression_findings(change)
    assert note.severity is Severity.INFO
    assert (note.agent, note.rule_id) == ("baton", "baton-suppression-added")
    assert (note.path, note.line) == ("a.py", 7)
    assert note.title == "suppression added: ignore[B602] — input is a constant list"
    assert "silences B602" in note.message
    assert "input is a constant list" in note.message


def test_added_marker_without_a_reason_is_reported_as_low_with_the_syntax() -> None:
    change = make({2: "x = 1", 3: "run(cmd, shell=True)  # baton: ignore[B602, B603]"})
    [note] = suppression_findings(change)
    assert note.severity is Severity.LOW
    assert (note.rule_id, note.line) == ("baton-suppression-no-reason", 3)
    assert note.title == "ignore[B602, B603] has no reason, so it suppresses nothing"
    assert note.recommendation is not None
    assert "# baton: ignore[B602, B603] <why>" in note.recommendation


def test_markers_on_context_lines_are_not_reported() -> None:
    change = make(
        {
            1: "run(cmd, shell=True)  # baton: ignore[B602] reviewed in 2024",
            2: "eval(x)  # baton: ignore[B307]",
            3: "y = 2",
        },
        added={3},
    )
    assert suppression_findings(change) == []


def test_several_markers_on_one_line_give_one_finding() -> None:
    reasoned = "run(c)  # baton: ignore[B602] fixed command  # baton: ignore[B603] no user input"
    mixed = "run(c)  # baton: ignore[B602] fixed command  # baton: ignore[B603]"
    notes = suppression_findings(make({1: reasoned, 2: mixed}))
    assert [(n.line, n.severity) for n in notes] == [(1, Severity.INFO), (2, Severity.LOW)]
    assert notes[0].title == (
        "suppression added: ignore[B602] — fixed command; ignore[B603] — no user input"
    )
    assert notes[1].title == "ignore[B603] has no reason, so it suppresses nothing"
    assert "ignore[B602] — fixed command" in notes[1].message


def test_a_marker_cannot_silence_the_finding_about_itself() -> None:
    line = "run(c)  # baton: ignore[B602, baton-suppression-added] hide the trail"
    change = make({1: line})
    notes = suppression_findings(change)
    kept, silenced = apply_suppressions([*notes, finding(1, "B602")], change, Severity.HIGH)
    assert [f.rule_id for f in kept] == ["baton-suppression-added"]
    assert [s.finding.rule_id for s in silenced] == ["B602"]


def test_only_markers_the_commits_add_are_reported(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.py", "import os  # baton: ignore[F401] re-exported\nX = 1\n")
    repo.write("page.html", "<p>hi</p>\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "app.py",
        "import os  # baton: ignore[F401] re-exported\n"
        "X = 1\n"
        "run(c, shell=True)  # baton: ignore[B602] -- command is fixed\n",
    )
    repo.write("page.html", "<p>hi</p>\n<!-- baton: ignore[secret-jwt-token] -->\n")
    repo.commit("feature")

    notes = suppression_findings(load_change(start=repo.path, base="main"))

    assert [(n.path, n.line, n.rule_id) for n in notes] == [
        ("app.py", 3, "baton-suppression-added"),
        ("page.html", 2, "baton-suppression-no-reason"),
    ]
    assert notes[0].title == "suppression added: ignore[B602] — command is fixed"
