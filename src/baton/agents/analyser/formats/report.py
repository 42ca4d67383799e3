"""What every report parser returns and raises, and the pieces they share.

`ToolReport` is the result of reading one report; `ReportError` is the one-line reason a
report could not be read. `ReportBuilder` collects findings while a parser walks a report:
it places each path in the repository (`paths`), remembers the ones it could not place, and
turns line numbers and message text into what `Finding` accepts (no line below 1, no end
before the start, no lone surrogate that would break JSON output later).
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from baton.agents.analyser.formats import paths
from baton.agents.analyser.formats.paths import clean_text
from baton.errors import AgentError
from baton.findings.model import Confidence, Finding, Severity

TITLE_LIMIT = 120
NO_LOCATION = "(no file named)"
_SPACES = re.compile(r"\s+")


class ReportError(AgentError):
    """A report could not be read: the message is one line naming the format and the problem."""


@dataclass(frozen=True)
class ToolReport:
    """The findings read from one report.

    `tool` is the tool name the report gives (SARIF `driver.name`, rdjson `source.name`), if
    any. `unplaced` lists, once each, the paths of dropped findings: paths neither under the
    repository root nor matching a file of the repository, and `NO_LOCATION` for results
    that name no file at all.
    """

    findings: tuple[Finding, ...]
    tool: str | None
    unplaced: tuple[str, ...]


def one_line(text: str, limit: int = 300) -> str:
    """`text` on one line, at most `limit` characters."""
    if len(text) <= limit and text.isprintable() and text.strip() == text:
        return text  # the common case, quickly: no surrogate, no line break, nothing to trim
    flat = _SPACES.sub(" ", clean_text(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def json_location(loc: Sequence[int | str]) -> str:
    """A pydantic error location as a JSON path: `runs[0].results[2].locations`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return clean_text(out) or "the top level"


def schema_error(what: str, err: ValidationError) -> ReportError:
    """`ReportError` naming the first problem pydantic found: `<what>: <path>: <message>`."""
    first = err.errors(include_url=False, include_context=False, include_input=False)[0]
    return ReportError(one_line(f"{what}: {json_location(first['loc'])}: {first['msg']}"))


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a report is read: a large report makes millions of
    objects, and each collection would walk them all again (tens of seconds for 50 MB)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_json(format_name: str, text: str) -> Any:
    """`text` parsed as JSON; empty text and malformed JSON are `ReportError`s."""
    if not text.strip():
        raise ReportError("no report in the tool's output")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportError(one_line(f"{format_name} report is not JSON ({err})")) from None
    except RecursionError:
        raise ReportError(f"{format_name} report is nested too deeply to read") from None


def title_of(message: str, fallback: str) -> str:
    """The first non-blank line of `message`, at most `TITLE_LIMIT` characters."""
    if "\n" not in message and "\r" not in message and message.strip():
        return one_line(message, TITLE_LIMIT)
    for line in message.splitlines():
        if line.strip():
            return one_line(line, TITLE_LIMIT)
    return one_line(fallback, TITLE_LIMIT)


def line_span(start: int | None, end: int | None) -> tuple[int | None, int | None]:
    """(line, end_line) for `Finding`: a start below 1 or absent means the whole file."""
    if start is None or start < 1:
        return None, None
    if end is None or end < start:
        return start, start
    return start, end


class ReportBuilder:
    """Collects a report's findings and the paths that could not be placed."""

    def __init__(self, *, root: Path, agent: str, known_paths: frozenset[str]) -> None:
        self.agent = agent
        self._root = root
        self._known_paths = known_paths
        self._findings: list[Finding] = []
        self._unplaced: dict[str, None] = {}
        self._placed: dict[tuple[str, bool], str | None] = {}

    def place(self, name: str | None, *, is_uri: bool = False) -> str | None:
        """The repository path for a report's file name (or URI); None, noted, when there is
        no such path."""
        if not name:
            self._unplaced[NO_LOCATION] = None
            return None
        key = (name, is_uri)
        if key in self._placed:
            return self._placed[key]
        place = paths.place_uri if is_uri else paths.place_name
        placed = place(name, root=self._root, known_paths=self._known_paths)
        if placed is None:
            self._unplaced[one_line(paths.display(name, is_uri=is_uri))] = None
        self._placed[key] = placed
        return placed

    def add(
        self,
        *,
        path: str,
        rule_id: str,
        severity: Severity,
        message: str,
        start: int | None = None,
        end: int | None = None,
        rule_url: str | None = None,
        recommendation: str | None = None,
        cwe: int | None = None,
        confidence: Confidence = Confidence.MEDIUM,
    ) -> None:
        line, end_line = line_span(start, end)
        rule = one_line(rule_id, 200) or self.agent
        text = clean_text(message).strip()
        advice = clean_text(recommendation).strip() if recommendation else ""
        self._findings.append(
            Finding(
                agent=self.agent,
                rule_id=rule,
                rule_url=clean_text(rule_url) if rule_url else None,
                severity=severity,
                confidence=confidence,
                path=path,
                line=line,
                end_line=end_line,
                title=title_of(text, rule),
                message=text,
                recommendation=advice or None,
                cwe=cwe,
            )
        )

    def build(self, tool: str | None) -> ToolReport:
        name = one_line(tool, 200) if tool else None
        return ToolReport(
            findings=tuple(self._findings), tool=name or None, unplaced=tuple(self._unplaced)
        )
