"""The built-in `coverage` agent: how many of the added executable lines the tests ran.

It reads a coverage report (the `coverage_report` setting, or the first one `find_report`
finds) and looks only at added lines the report measured; files the report does not
mention are not counted, as diff-cover does. Diff coverage below `min_diff_coverage` is a
blocking reason, and every run of uncovered added lines becomes a LOW finding. A report
that is missing or unreadable fails the agent without reruns: the same file fails again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin.coverage_reports import FileCoverage, find_report, load_report
from baton.change.model import ChangedFile, FileStatus
from baton.errors import AgentError, AgentSkipped
from baton.findings.model import Confidence, Finding, Severity

RULE_ID = "diff-coverage"


@dataclass(frozen=True)
class DiffCoverage:
    """Added executable lines of the whole change: how many the report measured and missed."""

    measured: int
    missing: int

    @property
    def covered(self) -> int:
        return self.measured - self.missing

    @property
    def percent(self) -> float:
        """Covered share in percent, cut (not rounded) to two decimals; 100 when none."""
        if self.measured == 0:
            return 100.0
        return self.covered * 10_000 // self.measured / 100

    def shown(self) -> str:
        """The percentage with one decimal, cut so a failing figure never reads as passing."""
        if self.measured == 0:
            return "100.0%"
        return f"{self.covered * 1_000 // self.measured / 10:.1f}%"


class CoverageAgent:
    engine = "builtin"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False
    name = "coverage"
    description = "Diff coverage: the share of added executable lines that the tests ran."

    def accepts(self, file: ChangedFile) -> str | None:
        if file.binary:
            return "binary file"
        if file.status is FileStatus.DELETED:
            return "deleted file"
        return None

    async def run(self, ctx: AgentContext) -> AgentOutput:
        report = self._report_path(ctx)
        try:
            lines = await asyncio.to_thread(load_report, report, ctx.root)
        except AgentError as err:  # the same report would fail the same way again
            raise AgentError(str(err), retryable=False) from err
        findings: list[Finding] = []
        measured = missing = 0
        for file in ctx.files:
            seen = lines.get(file.path)
            if seen is None:
                continue
            added = file.added_lines & seen.measured
            missed = added - seen.covered
            measured += len(added)
            missing += len(missed)
            findings.extend(self._findings(file, seen, missed))
        summary, blocking, metrics = coverage_outcome(
            measured, missing, ctx.settings.min_diff_coverage
        )
        return AgentOutput(findings=findings, summary=summary, blocking=blocking, metrics=metrics)

    @staticmethod
    def _report_path(ctx: AgentContext) -> Path:
        configured = ctx.settings.coverage_report
        if configured is None:
            found = find_report(ctx.root)
            if found is None:
                raise AgentSkipped("no coverage report")
            return found
        path = configured if configured.is_absolute() else ctx.root / configured
        if not path.is_file():
            raise AgentError(f"coverage report {configured} not found", retryable=False)
        return path

    def _findings(
        self, file: ChangedFile, seen: FileCoverage, missed: frozenset[int]
    ) -> Iterator[Finding]:
        for first, last, count in _runs(missed, file.added_lines - seen.measured):
            lines = "line" if count == 1 else "lines"
            yield Finding(
                agent=self.name,
                rule_id=RULE_ID,
                severity=Severity.LOW,
                confidence=Confidence.HIGH,
                path=file.path,
                line=first,
                end_line=last,
                title=f"{count} added {lines} not covered by tests",
                message=f"The coverage report measured {_span(first, last)} and no test ran it.",
                recommendation="Add or extend a test that runs this code.",
            )


def _runs(missed: frozenset[int], quiet: frozenset[int]) -> Iterator[tuple[int, int, int]]:
    """(first, last, count) of each run of missed lines.

    A run goes on over added lines the report does not measure (blank lines, comments,
    docstrings) but stops at any covered or unchanged line.
    """
    run: list[int] = []
    for line in sorted(missed):
        if run and not all(between in quiet for between in range(run[-1] + 1, line)):
            yield run[0], run[-1], len(run)
            run = []
        run.append(line)
    if run:
        yield run[0], run[-1], len(run)


def _span(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _summary(result: DiffCoverage, minimum: float) -> str:
    if result.measured == 0:
        return f"no executable added lines in the coverage report, minimum {minimum:g}%"
    return (
        f"diff coverage {result.shown()} ({result.covered} of {result.measured} added "
        f"executable lines), minimum {minimum:g}%"
    )


def coverage_outcome(
    measured: int, missing: int, minimum: float
) -> tuple[str, list[str], dict[str, float]]:
    """The summary, the blocking reasons and the metrics of `measured` added executable lines
    of which `missing` are not covered (also for shards' counts added up)."""
    result = DiffCoverage(measured=measured, missing=missing)
    metrics = {
        "diff_coverage_percent": result.percent,
        "covered_lines": float(result.covered),
        "measured_lines": float(result.measured),
        "missing_lines": float(result.missing),
    }
    return _summary(result, minimum), _blocking(result, minimum), metrics


def _blocking(result: DiffCoverage, minimum: float) -> list[str]:
    if result.measured == 0 or result.covered * 100 >= minimum * result.measured:
        return []
    return [f"diff coverage {result.shown()} is below the {minimum:g}% minimum"]
