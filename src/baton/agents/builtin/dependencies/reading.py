"""Reading JSON, TOML and YAML without a traceback (a parse error is `Unreadable`), and the line
an entry is written on: json and tomllib give no positions, so a parser looks its keys up in a
`Lines` index of the text, in file order; YAML is read as events, which carry their lines."""

from __future__ import annotations

import json
import re
import tomllib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import yaml

from baton.agents.builtin.dependencies.declared import Unreadable, one_line

JSON_KEY = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"\s*:\s*[{"]')
"""A JSON key whose value is an object or a string."""
TOML_NAME = re.compile(r"""^[ \t]*name[ \t]*=[ \t]*(?:"([^"\n]*)"|'([^'\n]*)')""", re.M)
"""A TOML lockfile's `name = "…"` line."""
MAX_YAML_DEPTH = 100
"""How deep YAML collections may nest (a lockfile needs a handful of levels)."""
MAX_KEY = 1024
"""A JSON key longer than this is not looked for (its entry gets a default line)."""

_OBJECT_VALUE = re.compile(r":[ \t\r\n]*\{")
_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Lines:
    """Where each value of `hits` (value, offset; in offset order) is written. `line(value)`
    is the first such line after the last one found (or after the offset `seek` was given),
    else the first anywhere: entries looked up in file order get their own line even when
    two are written alike."""

    def __init__(self, text: str, hits: Iterable[tuple[str, int]]) -> None:
        self._lines: list[int] = []
        self._offsets: list[int] = []
        self._first: dict[str, int] = {}
        self._more: dict[str, list[int]] = {}  # values written more than once: every hit
        self._next = 0
        line, pos = 1, 0
        for value, offset in hits:
            line += text.count("\n", pos, offset)
            pos = offset
            first = self._first.setdefault(value, len(self._lines))
            if first != len(self._lines):
                self._more.setdefault(value, [first]).append(len(self._lines))
            self._lines.append(line)
            self._offsets.append(offset)

    @classmethod
    def matching(
        cls,
        text: str,
        pattern: re.Pattern[str],
        decode: Callable[[str], str] | None = None,
    ) -> Lines:
        """Lines of `pattern`'s matches, keyed by the last group that matched (decoded by
        `decode` when it holds a backslash)."""

        def hits() -> Iterator[tuple[str, int]]:
            for match in pattern.finditer(text):
                value = match[match.lastindex or 0]
                if decode is not None and "\\" in value:
                    value = decode(value)
                yield value, match.start()

        return cls(text, hits())

    @classmethod
    def json_keys_with(cls, text: str, part: str) -> Lines:
        """Lines of a JSON text's keys that hold `part` and whose value is an object (a
        package-lock's `node_modules/…` packages), found by searching for `part` itself."""
        pattern = re.compile(re.escape(part) + r'[^"\\\n]*"[ \t\r\n]*:[ \t\r\n]*\{')

        def hits() -> Iterator[tuple[str, int]]:
            for match in pattern.finditer(text):
                end = match[0].index('"') + match.start()
                begin = text.rfind('"', max(0, match.start() - MAX_KEY), match.start())
                if begin >= 0 and "\n" not in text[begin : match.start()]:
                    raw = text[begin + 1 : end]
                    yield (json_string(raw) if "\\" in raw else raw), begin

        return cls(text, hits())

    @classmethod
    def json_objects(cls, text: str) -> Lines:
        """Lines of a JSON text's keys whose value is an object (a lockfile's packages), found
        from each `: {` back to its key: fast on a 10 MB lockfile, as a regex scanning every
        string is not. A key with an escaped quote is not looked for."""

        def hits() -> Iterator[tuple[str, int]]:
            for match in _OBJECT_VALUE.finditer(text):
                end = match.start()
                while end > 0 and text[end - 1] in " \t\r\n":
                    end -= 1
                if end < 2 or text[end - 1] != '"':
                    continue
                begin = text.rfind('"', max(0, end - 2 - MAX_KEY), end - 1)
                if begin < 0 or (begin > 0 and text[begin - 1] == "\\"):
                    continue
                raw = text[begin + 1 : end - 1]
                yield (json_string(raw) if "\\" in raw else raw), begin

        return cls(text, hits())

    def seek(self, offset: int) -> None:
        """Look the next value up from `offset` on (a section's header)."""
        self._next = bisect_left(self._offsets, offset)

    def line(self, value: str, default: int = 1) -> int:
        """The line of `value`'s next hit, else of its first, else `default`."""
        index = self._first.get(value)
        if index is None:
            return default
        hits = self._more.get(value)
        if hits is not None:
            at = bisect_left(hits, self._next)
            index = hits[at] if at < len(hits) else index
        self._next = index + 1
        return self._lines[index]


def json_string(raw: str) -> str:
    """A JSON string's text (`raw` is what is between its quotes) decoded, else as written."""
    try:
        decoded = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return decoded if isinstance(decoded, str) else raw


def load_json(text: str) -> Any:
    """`text` as JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise Unreadable(f"not JSON (line {error.lineno}: {error.msg})") from None
    except RecursionError:
        raise Unreadable("not JSON baton reads (nested too deeply)") from None
    except ValueError as error:  # a number of more than 4300 digits
        raise Unreadable(f"not JSON baton reads ({one_line(str(error))})") from None


def load_toml(text: str) -> dict[str, Any]:
    """`text` as TOML (a duplicate key is an error)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        at = _TOML_AT.search(message)
        if at is not None:
            message = f"line {at[1]}: {message[: at.start()]}"
        raise Unreadable(f"not TOML ({one_line(message)})") from None
    except RecursionError:
        raise Unreadable("not TOML baton reads (nested too deeply)") from None


def yaml_events(text: str) -> Iterator[yaml.Event]:
    """`text`'s YAML parse events (libyaml's parser when there is one), up to the end of the
    first document. Nothing is constructed: an alias stays one event, so an alias bomb
    costs what its text does. Collections nested deeper than `MAX_YAML_DEPTH` are a parse
    error (PyYAML's own parser takes minutes over 100,000 `[`; libyaml stops at 1,000)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise Unreadable(f"not YAML baton reads (nested over {MAX_YAML_DEPTH} deep)")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            yield event
            if isinstance(event, yaml.DocumentEndEvent):
                return
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise Unreadable(f"not YAML ({where}{one_line(str(error.problem))})") from None
    except yaml.YAMLError as error:
        raise Unreadable(f"not YAML ({one_line(str(error))})") from None
    except RecursionError:
        raise Unreadable("not YAML baton reads (nested too deeply)") from None
