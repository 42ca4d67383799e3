"""Context between phases: files in the run's work directory, and a summary within a budget.

After each phase the findings so far are written in full to `findings.json` in the work
directory, and a summary of at most `context_tokens` tokens to `phase-N/summary.md`: counts
per severity and agent, then one line per finding, most severe first, until the budget is
spent. Later agents get the summary in their prompt and may read the JSON file; they never
get another agent's transcript.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from baton.agents.base import Handoff
from baton.agents.claude.chunks import CHARS_PER_TOKEN
from baton.errors import UsageError
from baton.findings.model import Finding, Severity
from baton.findings.order import sort_findings
from baton.redact import redact, redact_data


@contextlib.contextmanager
def work_directory(configured: Path | None) -> Iterator[Path]:
    """`configured` (kept afterwards), else a temporary directory removed at the end."""
    if configured is not None:
        try:
            configured.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UsageError(f"cannot create work_dir {configured}: {err.strerror}") from err
        yield configured
        return
    folder = Path(tempfile.mkdtemp(prefix="baton-run-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_handoff(
    folder: Path,
    phase: int,
    findings: Sequence[Finding],
    budget_tokens: int,
    locked_agents: frozenset[str] = frozenset(),
) -> Handoff:
    """Write what phase `phase` may know and return it."""
    ordered = sort_findings(findings)
    dumped = redact_data([f.model_dump(mode="json") for f in ordered])
    (folder / "findings.json").write_text(json.dumps(dumped, indent=1), encoding="utf-8")
    summary = redact(summarize(ordered, budget_tokens))
    phase_folder = folder / f"phase-{phase}"
    phase_folder.mkdir(exist_ok=True)
    (phase_folder / "summary.md").write_text(summary + "\n", encoding="utf-8")
    return Handoff(
        findings=tuple(ordered), summary=summary, folder=folder, locked_agents=locked_agents
    )


def summarize(findings: Sequence[Finding], budget_tokens: int) -> str:
    """Counts, then a line per finding (most severe first) while the budget lasts."""
    if not findings:
        return "No findings so far."
    budget = int(budget_tokens * CHARS_PER_TOKEN)
    severities = Counter(f.severity for f in findings)
    agents = Counter(f.agent for f in findings)
    head = [
        f"{len(findings)} finding{'' if len(findings) == 1 else 's'} so far: "
        + ", ".join(f"{severities[s]} {s.value}" for s in Severity.ordered() if severities[s])
        + "; by agent: "
        + ", ".join(f"{name} {count}" for name, count in sorted(agents.items()))
        + "."
    ]
    used = len(head[0])
    lines = []
    for index, finding in enumerate(findings):
        line = (
            f"- [{finding.severity.value}] {finding.agent} {finding.rule_id} at "
            f"{finding.location}: {finding.title}"
        )
        if used + len(line) + 1 > budget:
            lines.append(f"- … and {len(findings) - index} more, less severe (see findings.json)")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(head + lines)
