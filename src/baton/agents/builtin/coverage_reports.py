"""Coverage reports: finding one in a checkout and reading Cobertura XML or LCOV into lines.

`load_report` returns, per repository-relative POSIX path, the lines the report measured
and those it saw run. Paths are matched the way diff-cover matches them, so both tools agree:

- Cobertura: a class's `filename` counts as written (relative to the repository root) and
  joined with every `<source>`; absolute results inside the repository are made relative.
  When both an absolute and a relative spelling name a file, the absolute one wins. A line
  with `hits="0"` in any of a file's classes is missed.
- LCOV: `SF:` paths (absolute inside the repository, or relative to it) have their `DA:`
  counts summed over records. Like diff-cover, a `BRDA:` line without `DA:` counts as run
  only when all its branches were taken, and an `FN:` line without `DA:` takes its `FNDA:`
  count.

Reports may be produced by the code under review, so XML goes through defusedxml (no
entity expansion, no external entities) and every surprise is an `AgentError` of one line.
The format is told by the content, not the file name.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from baton.errors import AgentError

REPORT_NAMES = (
    "coverage.xml",
    "cobertura.xml",
    "coverage/cobertura-coverage.xml",
    "lcov.info",
    "coverage/lcov.info",
    "coverage.lcov",
)
"""Where `find_report` looks, in this order, relative to the repository root."""


@dataclass(frozen=True)
class FileCoverage:
    """One source file's lines as the report saw them."""

    measured: frozenset[int]
    covered: frozenset[int]

    @property
    def missing(self) -> frozenset[int]:
        return self.measured - self.covered


def find_report(root: Path) -> Path | None:
    """The first of `REPORT_NAMES` that exists under `root`, or None."""
    for name in REPORT_NAMES:
        candidate = root / name
        if candidate.is_file():
            return candidate
    return None


def load_report(path: Path, root: Path) -> dict[str, FileCoverage]:
    """Read a Cobertura XML or LCOV report; keys are repository-relative POSIX paths."""
    shown = _shown(path, root)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise AgentError(f"cannot read coverage report {shown}: {err.strerror or err}") from err
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise AgentError(f"coverage report {shown} is empty")
    if head.startswith(b"<"):
        return parse_cobertura(data, root, shown)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AgentError(f"coverage report {shown} is neither XML nor UTF-8 LCOV text") from err
    return parse_lcov(text, root, shown)


def parse_cobertura(data: bytes, root: Path, name: str = "coverage.xml") -> dict[str, FileCoverage]:
    """Lines per file of a Cobertura XML document."""
    try:
        document = defusedxml.ElementTree.fromstring(data)
    except defusedxml.DefusedXmlException as err:
        raise AgentError(f"coverage report {name} was refused: {_defused_reason(err)}") from err
    except ParseError as err:
        raise AgentError(f"coverage report {name} is not valid XML: {err}") from err
    _check_cobertura(document, name)
    sources = [s.text.strip() for s in document.iterfind("sources/source") if s.text]
    places = _Places(root)
    by_absolute: dict[str, list[Element]] = {}
    by_relative: dict[str, list[Element]] = {}
    for cls in document.iterfind(".//class"):
        filename = cls.get("filename")
        if not filename:
            continue
        spellings = {_unix(filename)} | {_unix(posixpath.join(s, filename)) for s in sources}
        for spelling in spellings:
            relative = places.relative(spelling)
            if relative is not None:
                index = by_absolute if spelling.startswith("/") else by_relative
                index.setdefault(relative, []).append(cls)
    files: dict[str, FileCoverage] = {}
    for path in by_absolute.keys() | by_relative.keys():
        classes = by_absolute.get(path) or by_relative[path]
        files[path] = _cobertura_lines(classes, name)
    return files


def parse_lcov(text: str, root: Path, name: str = "lcov.info") -> dict[str, FileCoverage]:
    """Lines per file of an LCOV tracefile."""
    places = _Places(root)
    counts: dict[str, dict[int, int]] = {}
    record = _LcovRecord(name)
    seen_source = False
    for number, raw in enumerate(text.splitlines(), start=1):
        directive, _, content = raw.strip().partition(":")
        record.at = number
        if directive == "SF":
            seen_source = True
            path = places.relative(_unix(content.strip()))
            record.start({} if path is None else counts.setdefault(path, {}))
        elif directive == "end_of_record":
            record.finish()
        else:
            record.add(directive, content)
    if not seen_source:
        raise AgentError(f"coverage report {name} is neither Cobertura XML nor LCOV (no SF: line)")
    return {
        path: FileCoverage(
            measured=frozenset(hits), covered=frozenset(n for n, c in hits.items() if c != 0)
        )
        for path, hits in counts.items()
    }


class _LcovRecord:
    """The `SF:` … `end_of_record` block being read; writes its counts into `hits`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.at = 0
        self.hits: dict[int, int] | None = None
        self.branches: dict[int, tuple[int, int, int]] = {}  # line → total, taken, executions
        self.functions: dict[str, tuple[int, int]] = {}  # name → line, count

    def start(self, hits: dict[int, int]) -> None:
        self.hits, self.branches, self.functions = hits, {}, {}

    def add(self, directive: str, content: str) -> None:
        read = self._readers.get(directive)
        if read is None:
            return  # TN, LF, LH, BRF, … and directives of newer lcov versions say nothing new
        if self.hits is None:
            raise self.error(f"{directive}: line outside an SF: record")
        read(self, self.hits, content)

    def _line(self, hits: dict[int, int], content: str) -> None:
        parts = content.split(",")
        if len(parts) not in (2, 3):
            raise self.error("DA: needs a line number and a count")
        line = self.number(parts[0])
        hits[line] = hits.get(line, 0) + self.number(parts[1])

    def _branch(self, hits: dict[int, int], content: str) -> None:
        parts = content.split(",")
        if len(parts) < 4:
            raise self.error("BRDA: needs a line, a block, a branch and a count")
        line = self.number(parts[0])
        taken = 0 if parts[-1].strip() == "-" else self.number(parts[-1])
        total, hit, executions = self.branches.get(line, (0, 0, 0))
        self.branches[line] = (total + 1, hit + int(taken > 0), executions + taken)

    def _function(self, hits: dict[int, int], content: str) -> None:
        start, _, rest = content.partition(",")
        end, _, after = rest.partition(",")
        function = after if end.strip().isdigit() and after else rest
        self.functions[function] = (self.number(start), 0)

    def _function_count(self, hits: dict[int, int], content: str) -> None:
        count, _, function = content.partition(",")
        if function in self.functions:
            self.functions[function] = (self.functions[function][0], self.number(count))

    _readers: ClassVar[dict[str, Callable[[_LcovRecord, dict[int, int], str], None]]] = {
        "DA": _line,
        "BRDA": _branch,
        "FN": _function,
        "FNDA": _function_count,
    }

    def finish(self) -> None:
        hits = self.hits
        if hits is None:
            return
        for line, (total, hit, executions) in self.branches.items():
            if line not in hits:
                hits[line] = 0 if hit < total else executions
            elif hits[line] == 0 and executions > 0:
                hits[line] = executions
        for line, count in self.functions.values():
            hits.setdefault(line, count)
        self.hits = None

    def number(self, text: str) -> int:
        try:
            return int(text.strip())
        except ValueError:
            raise self.error(f"{text.strip()!r} is not a whole number") from None

    def error(self, problem: str) -> AgentError:
        return AgentError(f"coverage report {self.name}, line {self.at}: {problem}")


class _Places:
    """Turns report paths into repository-relative ones; None for paths outside it."""

    def __init__(self, root: Path) -> None:
        spellings = {_unix(str(root.absolute())), _unix(str(root.resolve()))}
        self._prefixes = tuple(s.rstrip("/") + "/" for s in spellings)

    def relative(self, path: str) -> str | None:
        if path.startswith("/"):
            for prefix in self._prefixes:
                if path.startswith(prefix):
                    return path[len(prefix) :]
            return None
        if path in {"", ".", ".."} or path.startswith("../"):
            return None
        return path


def _cobertura_lines(classes: Iterable[Element], name: str) -> FileCoverage:
    measured: set[int] = set()
    missed: set[int] = set()
    for cls in classes:
        for line in cls.iterfind("lines/line"):
            number, hits = line.get("number"), line.get("hits", "0")
            try:
                at, count = int(number or ""), int(hits)
            except ValueError:
                raise AgentError(
                    f"coverage report {name}: <line number={number!r} hits={hits!r}> "
                    "is not a pair of whole numbers"
                ) from None
            measured.add(at)
            if count == 0:
                missed.add(at)
    return FileCoverage(measured=frozenset(measured), covered=frozenset(measured - missed))


def _check_cobertura(document: Element, name: str) -> None:
    is_clover = document.get("clover") is not None or document.find("project") is not None
    if document.tag == "coverage" and not is_clover:
        return
    kind = "Clover" if document.tag == "coverage" else f"<{document.tag}>"
    raise AgentError(
        f"coverage report {name} is a {kind} XML document; baton reads Cobertura XML and LCOV"
    )


def _defused_reason(err: defusedxml.DefusedXmlException) -> str:
    kind = type(err).__name__
    if kind == "EntitiesForbidden":
        return "it declares XML entities (possible entity-expansion attack)"
    if kind == "ExternalReferenceForbidden":
        return "it references external resources"
    if kind == "DTDForbidden":
        return "it contains a DTD"
    return kind


def _unix(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/")) if path else ""


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
