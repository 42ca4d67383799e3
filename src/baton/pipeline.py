"""The review as one flow: change → agents → findings → gate → `Review`.

Rendering and publishing the result are the caller's (`cli`), so the same `Review` can be
printed, written as reports, or posted to a platform.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from baton.agents import Agent
from baton.agents.catalog import choose_agents
from baton.agents.runner import Progress, run_agents
from baton.agents.tools import ToolRunner
from baton.change.model import ChangeSet
from baton.change.scope import select_files
from baton.findings.merge import fingerprint_all, merge_duplicates, place_on_diff
from baton.findings.order import sort_findings
from baton.findings.suppress import apply_suppressions
from baton.gate import decide
from baton.report import Review
from baton.settings import Settings


async def review_change(
    change: ChangeSet,
    settings: Settings,
    *,
    progress: Progress,
    config_source: str = "",
    agents: Sequence[Agent] | None = None,
    tools: ToolRunner | None = None,
) -> Review:
    files, skipped = select_files(
        change, exclude=settings.exclude, max_file_bytes=settings.max_file_bytes
    )
    chosen = list(agents) if agents is not None else choose_agents(settings, os.environ, progress)
    runs = await run_agents(
        chosen, change, files, settings, tools or ToolRunner(settings.tools), progress
    )

    raw = [finding for run in runs for finding in run.findings]
    keep_outside = frozenset(a.name for a in chosen if a.keeps_outside_findings)
    placed = place_on_diff(raw, change, settings.include_context_lines, keep_outside)
    kept, suppressed = apply_suppressions(placed, change)
    findings = sort_findings(merge_duplicates(fingerprint_all(kept, change)))

    results = [run.result for run in runs]
    return Review(
        base=change.base,
        head=change.head,
        files_changed=len(change.files),
        lines_added=change.added_count,
        config_source=config_source,
        agents=tuple(results),
        findings=tuple(findings),
        suppressed=tuple(suppressed),
        skipped=tuple(skipped),
        gate=decide(findings, results, settings.fail_on),
    )
