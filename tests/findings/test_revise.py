"""Revisions a later agent makes to earlier findings: applied, recorded, or dropped."""

from __future__ import annotations

from baton.findings.model import Finding, Severity
from baton.findings.revise import Revision, RevisionAction, apply_revisions


def finding(key: str, severity: Severity, line: int, agent: str = "security") -> Finding:
    return Finding(
        agent=agent,
        rule_id=f"R{key}",
        severity=severity,
        path="a.py",
        line=line,
        title=f"title {key}",
        fingerprint=key,
    )


FINDINGS = [
    finding("a", Severity.CRITICAL, 1),
    finding("b", Severity.HIGH, 2),
    finding("c", Severity.HIGH, 2, agent="quality"),
    finding("d", Severity.LOW, 3),
]


def test_each_action_changes_what_it_says_and_is_recorded() -> None:
    revisions = [
        Revision(action=RevisionAction.DOWNGRADE, finding="a", severity=Severity.LOW, reason="r1"),
        Revision(action=RevisionAction.MERGE, finding="c", into="b", reason="same problem"),
        Revision(action=RevisionAction.DISMISS, finding="d", reason="cannot happen"),
        Revision(action=RevisionAction.CONFIRM, finding="b", reason="checked"),
    ]
    after, applied, dropped = apply_revisions(FINDINGS, revisions, "synthesizer")
    assert dropped == 0
    assert [(f.fingerprint, f.severity) for f in after] == [
        ("a", Severity.LOW),
        ("b", Severity.HIGH),
    ]
    assert after[0].original_severity is Severity.CRITICAL
    assert after[1].also_reported_by == ("quality:Rc",)
    assert [(r.action, r.finding.fingerprint, r.by) for r in applied] == [
        (RevisionAction.DOWNGRADE, "a", "synthesizer"),
        (RevisionAction.MERGE, "c", "synthesizer"),
        (RevisionAction.DISMISS, "d", "synthesizer"),
        (RevisionAction.CONFIRM, "b", "synthesizer"),
    ]
    assert applied[0].finding.severity is Severity.CRITICAL
    assert applied[1].into == "a.py:2"


def test_revisions_that_cannot_apply_are_dropped() -> None:
    revisions = [
        Revision(action=RevisionAction.DOWNGRADE, finding="d", severity=Severity.HIGH, reason="up"),
        Revision(action=RevisionAction.DISMISS, finding="zzz", reason="unknown"),
        Revision(action=RevisionAction.MERGE, finding="a", into="a", reason="itself"),
        Revision(action=RevisionAction.DISMISS, finding="b", reason="first"),
        Revision(action=RevisionAction.DOWNGRADE, finding="b", severity=Severity.LOW, reason="2nd"),
    ]
    after, applied, dropped = apply_revisions(FINDINGS, revisions, "synthesizer")
    assert dropped == 4
    assert [r.reason for r in applied] == ["first"]
    assert [f.fingerprint for f in after] == ["a", "c", "d"]
    assert after[2].severity is Severity.LOW


LOCKED = frozenset({"security", "quality", "baton"})
"""The deterministic agents of a run: a model may not lower or remove their findings."""


def test_a_locked_finding_cannot_be_lowered_or_removed_but_can_absorb() -> None:
    model = finding("m", Severity.HIGH, 2, agent="claude-security")
    merged = finding("x", Severity.MEDIUM, 3, agent="claude-quality").model_copy(
        update={"also_reported_by": ("quality:F821",)}
    )
    findings = [*FINDINGS, model, merged]
    revisions = [
        Revision(action=RevisionAction.DISMISS, finding="a", reason="the model says so"),
        Revision(action=RevisionAction.DOWNGRADE, finding="b", severity=Severity.LOW, reason="r"),
        Revision(action=RevisionAction.MERGE, finding="c", into="m", reason="same"),
        Revision(action=RevisionAction.CONFIRM, finding="d", reason="checked"),
        Revision(action=RevisionAction.DISMISS, finding="x", reason="a tool also reported it"),
        Revision(action=RevisionAction.MERGE, finding="m", into="b", reason="same problem"),
    ]

    after, applied, dropped = apply_revisions(findings, revisions, "synthesizer", locked=LOCKED)

    assert dropped == 5
    assert [(r.action, r.finding.fingerprint) for r in applied] == [(RevisionAction.MERGE, "m")]
    by_key = {f.fingerprint: f for f in after}
    assert set(by_key) == {"a", "b", "c", "d", "x"}
    assert by_key["a"].severity is Severity.CRITICAL
    assert by_key["b"].also_reported_by == ("claude-security:Rm",)


def test_without_locks_the_same_revisions_apply() -> None:
    revisions = [Revision(action=RevisionAction.DISMISS, finding="a", reason="false positive")]
    after, applied, dropped = apply_revisions(FINDINGS, revisions, "synthesizer")
    assert (dropped, len(applied)) == (0, 1)
    assert "a" not in {f.fingerprint for f in after}
