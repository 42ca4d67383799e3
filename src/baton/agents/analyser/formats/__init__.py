"""Analysers' reports as findings: `parse_report` reads SARIF 2.1.0, rdjson, rdjsonl and
checkstyle XML; `guess_format` tells which of them a file holds.

Each format has its module (`sarif`, `rdjson`, `checkstyle`); `paths` places the files they
name in the repository, `report` holds what they share. A report that cannot be read raises
`ReportError` with one line naming the format and the first problem; a finding whose file
is not in the repository is dropped and its path listed in `ToolReport.unplaced`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from baton.agent_config import ReportFormat
from baton.agents.analyser.formats import checkstyle, rdjson, sarif
from baton.agents.analyser.formats.report import (
    ReportBuilder,
    ReportError,
    ToolReport,
    collection_paused,
)

__all__ = ["ReportError", "ReportFormat", "ToolReport", "guess_format", "parse_report"]

SNIFF_BYTES = 65536
_SARIF_KEY = re.compile(r'"runs"\s*:\s*\[')
_RDJSON_KEY = re.compile(r'"diagnostics"\s*:\s*\[')
_SARIF_SCHEMA = re.compile(r'"\$schema"\s*:\s*"[^"]*sarif', re.IGNORECASE)


def parse_report(
    fmt: ReportFormat,
    text: str,
    *,
    root: Path,
    agent: str,
    known_paths: frozenset[str] = frozenset(),
) -> ToolReport:
    """The findings of a report in format `fmt`, attributed to `agent`.

    Paths are made relative to `root`; an absolute path elsewhere is matched against
    `known_paths` (the repository's files) by its longest trailing part.
    """
    builder = ReportBuilder(root=root, agent=agent, known_paths=known_paths)
    with collection_paused():
        if fmt is ReportFormat.SARIF:
            return sarif.parse(text, builder)
        if fmt is ReportFormat.RDJSON:
            return rdjson.parse_rdjson(text, builder)
        if fmt is ReportFormat.RDJSONL:
            return rdjson.parse_rdjsonl(text, builder)
        return checkstyle.parse(text, builder)


def guess_format(name: str, text: str) -> ReportFormat | None:
    """The format of a report file: by its name's ending, else by its first bytes."""
    lowered = name.lower()
    for ending, fmt in (
        (".sarif", ReportFormat.SARIF),
        (".sarif.json", ReportFormat.SARIF),
        (".rdjson", ReportFormat.RDJSON),
        (".rdjsonl", ReportFormat.RDJSONL),
        (".jsonl", ReportFormat.RDJSONL),
        (".xml", ReportFormat.CHECKSTYLE),
    ):
        if lowered.endswith(ending):
            return fmt
    return sniff_format(text)


def sniff_format(text: str) -> ReportFormat | None:
    """The format the content looks like, from its first line or first 64 KiB."""
    head = text[:SNIFF_BYTES].lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        return ReportFormat.CHECKSTYLE if "<checkstyle" in head else None
    if not head.startswith("{"):
        return None
    try:
        document = json.loads(head.split("\n", 1)[0])
    except (json.JSONDecodeError, RecursionError):
        document = None
    if isinstance(document, dict):
        if "runs" in document:
            return ReportFormat.SARIF
        if "diagnostics" in document:
            return ReportFormat.RDJSON
        return ReportFormat.RDJSONL
    marks = [
        (match.start(), fmt)
        for pattern, fmt in (
            (_SARIF_SCHEMA, ReportFormat.SARIF),
            (_SARIF_KEY, ReportFormat.SARIF),
            (_RDJSON_KEY, ReportFormat.RDJSON),
        )
        if (match := pattern.search(head)) is not None
    ]
    return min(marks)[1] if marks else None
