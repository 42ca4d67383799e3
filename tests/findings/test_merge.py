"""Placement on the diff, fingerprints that survive line shifts, and cross-agent merging."""

from __future__ import annotations

from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.findings.merge import (
    fingerprint_all,
    merge_duplicates,
    place_on_diff,
    rule_family,
)
from baton.findings.model import Finding, Placement, Severity
from baton.findings.order import sort_findings


def changed(path: str, lines: dict[int, str], added: set[int]) -> ChangedFile:
    return ChangedFile(
        path=path, status=FileStatus.MODIFIED, lines=lines, added_lines=frozenset(added)
    )


def finding(line: int | None, rule: str = "F401", **extra: object) -> Finding:
    values: dict[str, object] = {
        "agent": "quality",
        "rule_id": rule,
        "severity": Severity.LOW,
        "path": "a.py",
        "line": line,
        "title": "t",
    }
    values.update(extra)
    return Finding.model_validate(values)


CHANGE = ChangeSet(
    root=".",
    files=(changed("a.py", {1: "import os", 2: "x = 1", 3: "y = 2"}, added={2}),),
)


def test_only_added_lines_by_default() -> None:
    placed = place_on_diff([finding(1), finding(2), finding(9)], CHANGE, False)
    assert [f.line for f in placed] == [2]


def test_context_lines_kept_but_marked_when_asked() -> None:
    placed = place_on_diff([finding(1), finding(2)], CHANGE, True)
    assert [(f.line, f.placement) for f in placed] == [(1, Placement.CONTEXT), (2, Placement.ADDED)]


def test_multi_line_finding_touching_an_added_line_is_kept() -> None:
    assert place_on_diff([finding(1, end_line=3)], CHANGE, False)


def test_findings_for_files_outside_the_change_are_dropped() -> None:
    assert place_on_diff([finding(2, path="other.py")], CHANGE, False) == []


def test_fingerprint_survives_line_shift() -> None:
    before = ChangeSet(root=".", files=(changed("a.py", {2: "import os"}, {2}),))
    after = ChangeSet(root=".", files=(changed("a.py", {7: "  import   os"}, {7}),))
    [one] = fingerprint_all([finding(2)], before)
    [two] = fingerprint_all([finding(7)], after)
    assert one.fingerprint == two.fingerprint
    assert len(one.fingerprint) == 20


def test_identical_findings_get_distinct_fingerprints() -> None:
    change = ChangeSet(root=".", files=(changed("a.py", {1: "x()", 2: "x()"}, {1, 2}),))
    stamped = fingerprint_all([finding(1), finding(2)], change)
    assert len({f.fingerprint for f in stamped}) == 2


def test_aliases_merge_and_keep_highest_severity() -> None:
    ruff_finding = finding(2, rule="S105", severity=Severity.LOW)
    bandit_finding = finding(2, rule="B105", agent="security", severity=Severity.LOW)
    secret = finding(2, rule="secret-aws-access-key", agent="security", severity=Severity.CRITICAL)
    [merged] = merge_duplicates([ruff_finding, bandit_finding, secret])
    assert merged.severity is Severity.CRITICAL
    assert set(merged.also_reported_by) == {"quality:S105", "security:B105"}
    assert rule_family("S602") == "B602"


def test_different_rules_on_one_line_stay_apart() -> None:
    assert len(merge_duplicates([finding(2, rule="F401"), finding(2, rule="B006")])) == 2


def test_sort_is_severity_then_place() -> None:
    ordered = sort_findings(
        [
            finding(3, severity=Severity.LOW),
            finding(1, severity=Severity.HIGH, path="b.py"),
            finding(1, severity=Severity.LOW),
        ]
    )
    assert [(f.severity, f.path, f.line) for f in ordered] == [
        (Severity.HIGH, "b.py", 1),
        (Severity.LOW, "a.py", 1),
        (Severity.LOW, "a.py", 3),
    ]


def test_outside_findings_kept_only_for_named_agents() -> None:
    far = [finding(40), finding(40, agent="security")]
    placed = place_on_diff(far, CHANGE, False, keep_outside=frozenset({"security"}))
    assert [(f.agent, f.placement) for f in placed] == [("security", Placement.OUTSIDE)]
