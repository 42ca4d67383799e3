"""From an analyser's report text to an agent's output: size limit, parsing, and notes on
what the report held that the change cannot place.

Shared by the analyser agents (`agent`) and imported results (`imported`). A report that
does not parse fails the agent with one line; findings on paths outside the repository are
dropped and counted in the agent's summary, never silently.
"""

from __future__ import annotations

from pathlib import Path

from baton.agent_config import ReportFormat
from baton.agents.analyser.formats import ReportError, ToolReport, parse_report
from baton.agents.base import AgentContext
from baton.errors import AgentError

MAX_REPORT_BYTES = 256 * 2**20
"""The largest report baton reads (a SARIF of a whole-repository CodeQL run fits)."""


def read_report(
    fmt: ReportFormat, text: str, ctx: AgentContext, root: Path, agent: str
) -> ToolReport:
    """The report's findings, paths made relative to `root` (or matched to the change)."""
    known = frozenset(f.path for f in ctx.change.files)
    try:
        return parse_report(fmt, text, root=root, agent=agent, known_paths=known)
    except ReportError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as err:
        raise AgentError(f"{fmt.value} report could not be read: {err}") from err


def report_summary(what: str, report: ToolReport) -> str:
    """`{what}: N findings`, plus how many were on paths outside the repository."""
    count = len(report.findings)
    line = f"{what}: {count} finding{'' if count == 1 else 's'}"
    if report.unplaced:
        shown = ", ".join(report.unplaced[:3]) + (" …" if len(report.unplaced) > 3 else "")
        line += f" ({len(report.unplaced)} on paths outside the repository dropped: {shown})"
    return line


def check_size(label: str, size: int) -> None:
    if size > MAX_REPORT_BYTES:
        raise AgentError(
            f"{label} is {size / 2**20:.0f} MiB, more than the "
            f"{MAX_REPORT_BYTES / 2**20:.0f} MiB baton reads",
            retryable=False,
        )
