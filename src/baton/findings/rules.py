"""Rule control from config: severities set per rule, and paths an agent does not review.

`severity = { B101 = "info" }` at the top level applies to every agent's findings of that
rule; `[agents.NAME] severity = {…}` to that agent's, and wins. A changed finding keeps the
agent's own severity in `original_severity`. `[agents.NAME] ignore = ["tests/**"]` keeps
those paths from the agent and drops its findings there (a model agent may report on files
it was not given).
"""

from __future__ import annotations

from collections.abc import Iterable

from pathspec import GitIgnoreSpec

from baton.findings.model import Finding
from baton.globs import path_globs
from baton.settings import Settings


def apply_severity_overrides(findings: Iterable[Finding], settings: Settings) -> list[Finding]:
    changed = []
    for finding in findings:
        wanted = settings.severity_for(finding.agent, finding.rule_id)
        if wanted is None or wanted is finding.severity:
            changed.append(finding)
            continue
        original = finding.original_severity or finding.severity
        changed.append(
            finding.model_copy(update={"severity": wanted, "original_severity": original})
        )
    return changed


def ignored_paths(settings: Settings, agent: str) -> GitIgnoreSpec | None:
    """The agent's `ignore` globs, or None when it has none."""
    return path_globs(settings.options_for(agent).ignore)


def drop_ignored(findings: Iterable[Finding], settings: Settings) -> list[Finding]:
    """Findings except those an agent reported on a path its `ignore` globs name."""
    specs: dict[str, GitIgnoreSpec | None] = {}
    kept = []
    for finding in findings:
        if finding.agent not in specs:
            specs[finding.agent] = ignored_paths(settings, finding.agent)
        spec = specs[finding.agent]
        if spec is None or not spec.match_file(finding.path):
            kept.append(finding)
    return kept
