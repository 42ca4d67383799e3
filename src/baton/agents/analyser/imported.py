"""Results of earlier CI steps (CodeQL, semgrep, golangci-lint, eslint …) as agents.

`baton review --import FILE[:FORMAT]` (repeatable; the action's and the component's
`import` input, `BATON_IMPORTS`) reads a report another step wrote and reviews its findings
like any agent's: placed on the diff, severities and ignores applied, gated, in the one
comment. The agent is named after the tool the report names (SARIF `driver.name`, rdjson
`source.name`), else after the file; a name another agent has gets `import-` in front. The
format is given after the last `:` or told from the file (`guess_format`). A missing or
unreadable file fails that agent (the review is incomplete), never the whole run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from baton.agent_config import ReportFormat
from baton.agents.analyser.formats import guess_format
from baton.agents.analyser.reading import check_size, read_report, report_summary
from baton.agents.base import AgentContext, AgentOutput
from baton.change.model import ChangedFile
from baton.errors import AgentError

_NAME = re.compile(r"[^a-z0-9]+")
PEEK_BYTES = 4 * 2**20
"""How much of a report is read to find the tool's name before the review starts."""


@dataclass(frozen=True)
class ImportSource:
    path: Path
    format: ReportFormat | None
    """None: told from the file."""


def parse_import(value: str) -> ImportSource:
    """`FILE` or `FILE:FORMAT` (a `:` followed by anything else is part of the name)."""
    head, sep, tail = value.rpartition(":")
    if sep and tail.strip().lower() in {f.value for f in ReportFormat}:
        return ImportSource(Path(head), ReportFormat(tail.strip().lower()))
    return ImportSource(Path(value), None)


def imported_sources(values: list[str], taken: set[str]) -> dict[str, ImportSource]:
    """Each `--import` by the agent name it gets."""
    named: dict[str, ImportSource] = {}
    for value in values:
        source = parse_import(value)
        name = _tool_name(source) or _slug(source.path.name.split(".")[0]) or "import"
        if name in taken or name.startswith("claude-"):
            name = f"import-{name}"
        unique, number = name, 2
        while unique in named or unique in taken:
            unique, number = f"{name}-{number}", number + 1
        named[unique] = source
    return named


def _slug(text: str) -> str:
    return _NAME.sub("-", text.lower()).strip("-")[:40]


def _tool_name(source: ImportSource) -> str | None:
    """The tool the report names, read from its start; None when it cannot be told."""
    try:
        with source.path.open("rb") as handle:
            start = handle.read(PEEK_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    fmt = source.format or guess_format(source.path.name, start)
    try:
        if fmt is ReportFormat.SARIF:
            name = json.loads(start)["runs"][0]["tool"]["driver"]["name"]
        elif fmt is ReportFormat.RDJSON:
            name = json.loads(start)["source"]["name"]
        elif fmt is ReportFormat.RDJSONL:
            name = json.loads(start.splitlines()[0])["source"]["name"]
        else:
            return None
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return _slug(name) if isinstance(name, str) and _slug(name) else None


class ImportedAgent:
    """One imported report, reviewed as an agent's findings."""

    engine = "import"
    keeps_outside_findings = False
    fails_open = False
    scans_skipped_files = False

    def __init__(self, name: str, source: ImportSource) -> None:
        self.name = name
        self.source = source
        self.description = f"results imported from {source.path}"

    def accepts(self, file: ChangedFile) -> str | None:
        return None

    async def run(self, ctx: AgentContext) -> AgentOutput:
        path = self.source.path
        try:
            check_size(str(path), path.stat().st_size)
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError as err:
            raise AgentError(
                f"cannot read {path}: {err.strerror or err}", retryable=False
            ) from None
        fmt = self.source.format or guess_format(path.name, text)
        if fmt is None:
            raise AgentError(
                f"cannot tell the format of {path}: name it, e.g. --import {path}:sarif",
                retryable=False,
            )
        try:
            report = read_report(fmt, text, ctx, ctx.root, self.name)
        except AgentError as err:  # the same file would not read any better a second time
            raise AgentError(f"{path}: {err}", retryable=False) from None
        return AgentOutput(
            findings=list(report.findings),
            summary=report_summary(f"{fmt.value} from {path.name}", report),
        )
