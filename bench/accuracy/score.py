"""Scoring: which findings of a review answer a labelled case, and the benign commits' alarms.

A case is *found* when a counted finding on its file spans a labelled line (`line` to
`end_line`), or, for a whole-file case, when any counted finding is on its file. It is
found *at severity* when such a finding is at least the case's `min_severity`, and *on the
line* when such a finding starts on a labelled line. Findings of the `quality` and
`coverage` agents are not counted (a lint or coverage note on the same line is no security
finding), except ruff's flake8-bandit rules (`S###`), which are.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.accuracy.corpus import GROUPS, SEVERITIES, Case

NOT_SECURITY = frozenset({"quality", "coverage"})
BANDIT_TWIN = re.compile(r"S\d{3}")


def rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


@dataclass(frozen=True)
class CaseResult:
    """How one review answered one case."""

    id: str
    category: str
    group: str
    min_severity: str
    whole_file: bool
    found: bool
    at_severity: bool
    on_line: bool
    best: str
    """`rule SEVERITY line` of the most severe matching finding, or what went wrong."""
    other_findings: int
    exit_code: int
    seconds: float
    failed_agents: tuple[str, ...] = ()
    on_file: tuple[str, ...] = ()
    """Every counted finding on the case's file, described like `best`."""


@dataclass(frozen=True)
class BenignResult:
    """What one review of an ordinary commit raised."""

    id: str
    repository: str
    commit: str
    files: int
    replayed: bool
    exit_code: int | None = None
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    """Findings per severity."""
    alarms: tuple[str, ...] = ()
    """`SEVERITY rule path:line` of every CRITICAL and HIGH finding."""
    failed_agents: tuple[str, ...] = ()
    reason: str = ""


def counted(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        f
        for f in report.get("findings", [])
        if f.get("agent") not in NOT_SECURITY or BANDIT_TWIN.fullmatch(str(f.get("rule_id")))
    ]


def failed_agents(report: dict[str, Any] | None) -> tuple[str, ...]:
    if report is None:
        return ()
    return tuple(
        f"{a['name']}: {a.get('reason') or a['status']}"
        for a in report.get("agents", [])
        if a.get("status") == "failed"
    )


def score_case(
    case: Case, report: dict[str, Any] | None, exit_code: int, seconds: float
) -> CaseResult:
    if report is None:
        return CaseResult(
            id=case.id,
            category=case.category,
            group=case.group,
            min_severity=case.min_severity,
            whole_file=case.whole_file,
            found=False,
            at_severity=False,
            on_line=False,
            best=f"no report (exit {exit_code})",
            other_findings=0,
            exit_code=exit_code,
            seconds=round(seconds, 3),
        )
    on_file = [f for f in counted(report) if f.get("path") == case.path]
    matching = [f for f in on_file if case.whole_file or _covers(f, case.lines)]
    best = max(matching, key=lambda f: rank(str(f.get("severity"))), default=None)
    return CaseResult(
        id=case.id,
        category=case.category,
        group=case.group,
        min_severity=case.min_severity,
        whole_file=case.whole_file,
        found=best is not None,
        at_severity=any(rank(f["severity"]) >= rank(case.min_severity) for f in matching),
        on_line=any(f.get("line") in case.lines for f in matching),
        best=_describe(best) if best is not None else "none",
        other_findings=len(on_file) - len(matching),
        exit_code=exit_code,
        seconds=round(seconds, 3),
        failed_agents=failed_agents(report),
        on_file=tuple(_describe(f) for f in on_file),
    )


def benign_alarms(report: dict[str, Any]) -> tuple[dict[str, int], tuple[str, ...]]:
    findings = report.get("findings", [])
    counts = Counter(str(f.get("severity")) for f in findings)
    alarms = tuple(
        f"{f['severity']} {f.get('agent')}:{f.get('rule_id')} {f.get('path')}:{f.get('line')}"
        for f in findings
        if rank(str(f.get("severity"))) >= rank("HIGH")
    )
    return dict(counts), alarms


def _covers(finding: dict[str, Any], lines: tuple[int, ...]) -> bool:
    start = finding.get("line")
    if start is None:
        return False
    end = finding.get("end_line") or start
    return any(start <= line <= end for line in lines)


def _describe(finding: dict[str, Any]) -> str:
    start, end = finding.get("line"), finding.get("end_line")
    where = (
        "file" if start is None else f"line {start}" + (f"-{end}" if end and end != start else "")
    )
    return f"{finding.get('rule_id')} {finding.get('severity')} {where}"


def as_json(
    cases: list[CaseResult], benign: list[BenignResult], meta: dict[str, Any]
) -> dict[str, Any]:
    return {
        "meta": meta,
        "categories": category_rows(cases),
        "cases": [asdict(result) for result in cases],
        "benign": [asdict(result) for result in benign],
        "benign_summary": benign_summary(benign),
    }


def category_rows(cases: list[CaseResult]) -> list[dict[str, Any]]:
    rows = []
    pairs = dict.fromkeys((c.group, c.category) for c in cases)
    for group, category in sorted(pairs, key=lambda pair: GROUPS.index(pair[0])):
        mine = [c for c in cases if c.category == category]
        found = [c for c in mine if c.found]
        lined = [c for c in found if not c.whole_file]
        rows.append(
            {
                "group": group,
                "category": category,
                "cases": len(mine),
                "found": len(found),
                "recall": len(found) / len(mine),
                "at_severity": sum(c.at_severity for c in mine),
                "recall_at_severity": sum(c.at_severity for c in mine) / len(mine),
                "on_line": sum(c.on_line for c in lined),
                "line_accuracy": sum(c.on_line for c in lined) / len(lined) if lined else None,
            }
        )
    return rows


def benign_summary(benign: list[BenignResult]) -> dict[str, Any]:
    replayed = [b for b in benign if b.replayed]
    rules = Counter(" ".join(alarm.split(" ")[:2]) for b in replayed for alarm in b.alarms)
    return {
        "commits": len(benign),
        "replayed": len(replayed),
        "critical": sum(b.counts.get("CRITICAL", 0) for b in replayed),
        "high": sum(b.counts.get("HIGH", 0) for b in replayed),
        "alarm_rules": dict(sorted(rules.items())),
        "exit_codes": dict(sorted(Counter(str(b.exit_code) for b in replayed).items())),
    }
