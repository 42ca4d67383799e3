"""The labelled cases: one TOML file per category under `cases/`, one `[[case]]` table each.

A category file names its `category` and `group` (python, secrets, ci) and holds cases:

```toml
[[case]]
id = "yaml-load-default-loader"           # unique over the whole corpus
path = "app/settings.py"                  # where the file is written in the case repository
after = '''...'''                         # the file in the reviewed (head) commit
before = '''...'''                        # optional: the file in the base commit
marks = ["yaml.load(text)"]               # each names exactly one line of `after`
whole_file = false                        # true: any finding on the file counts
min_severity = "HIGH"                     # the least severity a reviewer would accept
source = "https://..."                    # where the shape comes from
licence = "Apache-2.0"                    # the source's licence
note = "why it is vulnerable"
```

A mark is a substring that must occur on exactly one line of `after`; that line is labelled.
`SPLIT` (`{{}}`) is removed from `before` and `after` before they are written: it keeps
credential formats from matching in this repository's own files, and nowhere else.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent / "cases"
SPLIT = "{{}}"
SEVERITIES = ("INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL")
GROUPS = ("python", "secrets", "ci")


class CorpusError(Exception):
    """A case file that does not say what it must."""


@dataclass(frozen=True)
class Case:
    """One labelled vulnerable change."""

    id: str
    category: str
    group: str
    path: str
    after: str
    before: str | None
    lines: tuple[int, ...]
    whole_file: bool
    min_severity: str
    source: str
    licence: str
    note: str

    @property
    def files(self) -> tuple[dict[str, bytes], dict[str, bytes]]:
        """The base and head commits' files."""
        base = {} if self.before is None else {self.path: self.before.encode()}
        return base, {self.path: self.after.encode()}


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    """Every case of every category file, in file order."""
    cases: list[Case] = []
    for file in sorted(directory.glob("*.toml")):
        cases.extend(_category(file))
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise CorpusError(f"case id {case.id!r} is used twice")
        seen.add(case.id)
    return cases


def select(cases: Iterable[Case], only: Iterable[str], ids: Iterable[str]) -> list[Case]:
    """Cases whose group or category is in `only` (all when empty), narrowed to `ids`."""
    wanted, chosen = set(only), set(ids)
    picked = [
        case
        for case in cases
        if (not wanted or case.group in wanted or case.category in wanted)
        and (not chosen or case.id in chosen)
    ]
    unknown = chosen - {case.id for case in picked}
    if unknown:
        raise CorpusError(f"no such case: {', '.join(sorted(unknown))}")
    return picked


def _category(file: Path) -> list[Case]:
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    category, group = data.get("category"), data.get("group")
    if not isinstance(category, str) or group not in GROUPS:
        raise CorpusError(f"{file.name}: needs a category and a group in {GROUPS}")
    return [_case(file.name, category, group, raw) for raw in data.get("case", [])]


def _case(name: str, category: str, group: str, raw: dict[str, object]) -> Case:
    where = f"{name}: case {raw.get('id', '?')!r}"
    for key in ("id", "path", "after", "min_severity", "source", "licence"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise CorpusError(f"{where}: {key} is missing")
    severity = str(raw["min_severity"])
    if severity not in SEVERITIES:
        raise CorpusError(f"{where}: min_severity must be one of {SEVERITIES}")
    after = str(raw["after"]).replace(SPLIT, "")
    before = raw.get("before")
    whole_file = bool(raw.get("whole_file", False))
    marks = raw.get("marks", [])
    if not isinstance(marks, list) or (not marks and not whole_file):
        raise CorpusError(f"{where}: needs marks, or whole_file = true")
    return Case(
        id=str(raw["id"]),
        category=category,
        group=group,
        path=str(raw["path"]),
        after=after,
        before=str(before).replace(SPLIT, "") if before is not None else None,
        lines=tuple(_line_of(where, after, str(mark).replace(SPLIT, "")) for mark in marks),
        whole_file=whole_file,
        min_severity=severity,
        source=str(raw["source"]),
        licence=str(raw["licence"]),
        note=str(raw.get("note", "")),
    )


def _line_of(where: str, text: str, mark: str) -> int:
    hits = [number for number, line in enumerate(text.splitlines(), 1) if mark in line]
    if len(hits) != 1:
        raise CorpusError(f"{where}: mark {mark!r} is on {len(hits)} lines, not one")
    return hits[0]
