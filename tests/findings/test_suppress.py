"""Inline `baton: ignore[RULE]` markers."""

from __future__ import annotations

from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.findings.model import Finding, Severity
from baton.findings.suppress import apply_suppressions, suppressed_rules


def make(lines: dict[int, str]) -> ChangeSet:
    file = ChangedFile(
        path="a.py", status=FileStatus.ADDED, lines=lines, added_lines=frozenset(lines)
    )
    return ChangeSet(root=".", files=(file,))


def finding(line: int, rule: str) -> Finding:
    return Finding(
        agent="security", rule_id=rule, severity=Severity.HIGH, path="a.py", line=line, title="t"
    )


def test_marker_parsing_in_any_comment_syntax() -> None:
    assert suppressed_rules("x = 1  # baton: ignore[B602, F401]") == {"B602", "F401"}
    assert suppressed_rules("int x; // baton:ignore[secret-aws-access-key]") == {
        "secret-aws-access-key"
    }
    assert suppressed_rules("# baton: ignore") == frozenset()


def test_suppressed_by_id_and_by_alias_and_reported() -> None:
    change = make(
        {
            1: "run(x, shell=True)  # baton: ignore[B602]",
            2: 'p = "x"  # baton: ignore[S105]',
            3: "eval(x)  # baton: ignore[B602]",
        }
    )
    kept, silenced = apply_suppressions(
        [finding(1, "B602"), finding(2, "B105"), finding(3, "B307")], change
    )
    assert [f.line for f in kept] == [3]
    assert [(s.finding.line, s.reason) for s in silenced] == [
        (1, "baton: ignore[B602]"),
        (2, "baton: ignore[S105]"),
    ]
