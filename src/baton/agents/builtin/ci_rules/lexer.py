"""A tolerant reading of shell text: logical lines split into pipelines, commands and words.

It is no shell parser, only enough of the shell's quoting to tell code from strings and
comments: single and double quotes, `$'…'`, backticks, `$(…)`, `<(…)`, `${…}`, backslash
escapes. A backslash at a line's end joins the next line (the two characters become spaces,
so every offset still points at the text as written); a newline inside quotes or `$(…)`
continues the logical line too. Comments (`#` at a word's start) are blanked. Here-document
bodies (`<<EOF` … `EOF`, `<<-`, quoted delimiters) are data: blanked from the commands and
kept aside, with the line they start on. Unbalanced quotes run to the end of the text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

BLANKS = " \t\r\f\v"
COMMENT_AFTER = frozenset(" \t\r\f\v\n;&|()<>")
"""A `#` at the start of the text or after one of these opens a comment."""
DELIMITER_END = frozenset(" \t\r\n;&|<>()")
KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time"})
WRAPPERS = frozenset({"sudo", "doas", "env", "nohup", "exec", "command", "nice", "stdbuf"})
WRAPPER_ARGUMENTS = frozenset({"-u", "-g", "-C", "-D", "-p", "-r", "-t", "-U", "-h", "-n"})
"""Options of `sudo`/`nice`/`env` that take the next word as their value."""
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_QUOTES = re.compile(r"""\\(.)|["']""", re.S)


class Word(NamedTuple):
    """One word: without quotes and escapes, as written, and its offset in the text."""

    text: str
    raw: str
    start: int


@dataclass(frozen=True)
class Segment:
    """One simple command of a pipeline."""

    words: tuple[Word, ...]
    start: int
    end: int

    def command(self) -> tuple[Word, ...]:
        """The words from the program on: keywords, assignments and wrappers (`sudo -E`,
        `env A=1`, `exec`) left out."""
        words = list(self.words)
        while words:
            head = words[0].text
            if head in KEYWORDS or ASSIGNMENT.match(head):
                words.pop(0)
            elif head in WRAPPERS:
                words.pop(0)
                while words and (words[0].text.startswith("-") or ASSIGNMENT.match(words[0].text)):
                    takes_value = words[0].text in WRAPPER_ARGUMENTS
                    words.pop(0)
                    if takes_value and words:
                        words.pop(0)
            else:
                break
        return tuple(words)

    def program(self) -> str:
        """The program's name (`/usr/bin/curl` → `curl`), or "" for none."""
        words = self.command()
        return PurePosixPath(words[0].text).name if words else ""

    def arguments(self) -> tuple[Word, ...]:
        return self.command()[1:]


@dataclass(frozen=True)
class Pipeline:
    """Commands joined by `|`."""

    segments: tuple[Segment, ...]

    @property
    def start(self) -> int:
        return self.segments[0].start

    @property
    def end(self) -> int:
        return self.segments[-1].end


@dataclass(frozen=True)
class Line:
    """A logical line: physical lines joined by continuations, open quotes or `$(`."""

    start: int
    end: int
    pipelines: tuple[Pipeline, ...]


class Heredoc(NamedTuple):
    """A here-document's body, set aside from the commands."""

    operator: int
    """Offset of its `<<`."""
    body: str
    line: int
    """The line its body starts on."""


class Script:
    """Shell text read into logical lines; line numbers count from `first_line`."""

    def __init__(self, source: str, first_line: int = 1) -> None:
        self.source = source
        self.first_line = first_line
        self._starts = [0, *(m.end() for m in re.finditer("\n", source))]
        masked, top, breaks, heredocs = _mask(source)
        self.masked = masked
        self.top = top
        self.heredocs = [h._replace(line=h.line + first_line - 1) for h in heredocs]
        self.lines: list[Line] = []
        bounds = [0, *(b + 1 for b in breaks), len(source) + 1]
        for start, stop in itertools.pairwise(bounds):
            end = min(stop - 1, len(source))
            pipelines = _pipelines(masked, top, start, end)
            if pipelines:
                self.lines.append(Line(start, end, pipelines))

    def line_of(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(self._starts, offset) - 1

    def text(self, start: int, end: int) -> str:
        """The masked text (comments and here-document bodies blanked) between offsets."""
        return self.masked[start:end]

    def pipelines(self) -> list[Pipeline]:
        return [pipeline for line in self.lines for pipeline in line.pipelines]


def unquote(raw: str) -> str:
    return _QUOTES.sub(lambda m: m.group(1) or "", raw)


def _mask(source: str) -> tuple[str, bytes, list[int], list[Heredoc]]:
    """The text with comments, continuations and here-document bodies blanked; which
    characters are code outside any quote or substitution; the newlines that end a logical
    line; the here-documents."""
    masker = _Masker(source)
    masker.run()
    return "".join(masker.out), bytes(masker.top), masker.breaks, masker.heredocs


class _Masker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.out = list(source)
        self.top = bytearray(len(source))
        self.breaks: list[int] = []
        self.heredocs: list[Heredoc] = []
        self.pending: list[tuple[str, bool, int]] = []
        self.stack: list[str] = []

    def run(self) -> None:
        i = 0
        while i < len(self.source):
            at_top = not self.stack
            if self.source[i] == "\n" and self.pending and self._state() in ("", "("):
                resume = self._newline_with_bodies(i, at_top)
                i = resume
                continue
            depth = len(self.stack)
            step = self._step(i)
            opened = at_top and len(self.stack) > depth and self.source[i] != "\n"
            if at_top:
                span = 1 if opened else step
                self.top[i : i + span] = b"\x01" * len(self.top[i : i + span])
            i += step

    def _state(self) -> str:
        return self.stack[-1] if self.stack else ""

    def _step(self, i: int) -> int:
        """Read the character at `i` (and what it starts); how many characters were read."""
        source, stack, state, c = self.source, self.stack, self._state(), self.source[i]
        if state == "'":
            if c == "'":
                stack.pop()
            return 1
        if state == "((":
            return _arithmetic(source, i, stack)
        if state == "$'":
            if c == "'":
                stack.pop()
            return 2 if c == "\\" else 1
        if c == "\\":
            return _escape(source, i, self.out)
        if state in ('"', "`"):
            return _in_string(source, i, stack)
        if c == "#" and state != "{" and (i == 0 or source[i - 1] in COMMENT_AFTER):
            end = source.find("\n", i)
            step = (len(source) if end < 0 else end) - i
            self.out[i : i + step] = " " * step
            return step
        if c == "<" and source.startswith("<<", i) and not source.startswith("<<<", i):
            step, found = _heredoc_operator(source, i)
            if found is not None:
                self.pending.append((*found, i))
            return step
        if c == "\n" and state != "{":
            if not stack:
                self.breaks.append(i)
            return 1
        return _open_or_close(source, i, stack)

    def _newline_with_bodies(self, i: int, at_top: bool) -> int:
        """A newline after here-document operators: their bodies follow; where text resumes."""
        resume = _bodies(self.source, i + 1, self.pending, self.out, self.heredocs)
        self.pending.clear()
        if at_top:
            self.breaks.extend((i, resume - 1))
            self.top[i:resume] = b"\x01" * (resume - i)
        return resume


def _escape(source: str, i: int, out: list[str]) -> int:
    nxt = source[i + 1 : i + 2]
    if nxt == "\n":
        out[i : i + 2] = "  "
        return 2
    if nxt == "\r" and source[i + 2 : i + 3] == "\n":
        out[i : i + 3] = "   "
        return 3
    return 2 if nxt else 1


def _in_string(source: str, i: int, stack: list[str]) -> int:
    """One step inside double quotes or backticks."""
    c = source[i]
    if c == stack[-1]:
        stack.pop()
    elif stack[-1] == '"' and source.startswith("$(", i):
        stack.append("(")
        return 2
    elif stack[-1] == '"' and source.startswith("${", i):
        stack.append("{")
        return 2
    elif stack[-1] == '"' and c == "`":
        stack.append("`")
    return 1


def _open_or_close(source: str, i: int, stack: list[str]) -> int:
    """One step in code: quotes, substitutions and parentheses opened or closed."""
    c = source[i]
    state = stack[-1] if stack else ""
    two = source[i : i + 2]
    if source.startswith("$((", i) or (two == "((" and not stack):
        stack.append("((")
        return 3 if c == "$" else 2
    if two == "$'":
        stack.append("$'")
        return 2
    if two in ("$(", "<(", ">(") and state != "{":
        stack.append("(")
        return 2
    if two == "${":
        stack.append("{")
        return 2
    if c in "'\"`":
        stack.append(c)
    elif c == "(" and stack:
        stack.append("(")
    elif (c, state) in ((")", "("), ("}", "{")):
        stack.pop()
    return 1


def _arithmetic(source: str, i: int, stack: list[str]) -> int:
    """One step inside `$(( … ))` or `(( … ))`: no comments, no here-documents."""
    if source.startswith("))", i):
        stack.pop()
        return 2
    if source[i] == "(":
        stack.append("(")
    return 1


def _heredoc_operator(source: str, i: int) -> tuple[int, tuple[str, bool] | None]:
    """The length of `<<-? WORD` at `i` and (delimiter, strip tabs), or None for no word."""
    j = i + 2
    strip = source[j : j + 1] == "-"
    if strip:
        j += 1
    while j < len(source) and source[j] in " \t":
        j += 1
    start = j
    quote = ""
    while j < len(source) and (quote or source[j] not in DELIMITER_END):
        if source[j] in "'\"" and not quote:
            quote = source[j]
        elif source[j] == quote:
            quote = ""
        j += 1
    word = unquote(source[start:j])
    return (j - i, (word, strip)) if word else (2, None)


def _bodies(
    source: str,
    pos: int,
    pending: list[tuple[str, bool, int]],
    out: list[str],
    found: list[Heredoc],
) -> int:
    """Blank the bodies of the pending here-documents from `pos` on; where the text resumes."""
    for delimiter, strip, operator in pending:
        start = pos
        while pos < len(source):
            end = source.find("\n", pos)
            end = len(source) if end < 0 else end
            line = source[pos:end].rstrip("\r")
            if (line.lstrip("\t") if strip else line) == delimiter:
                body = source[start:pos]
                found.append(Heredoc(operator, body, source.count("\n", 0, start) + 1))
                _blank(out, start, end)
                pos = end + 1
                break
            pos = end + 1
        else:
            found.append(Heredoc(operator, source[start:], source.count("\n", 0, start) + 1))
            _blank(out, start, len(source))
    return min(pos, len(source))


def _blank(out: list[str], start: int, end: int) -> None:
    for k in range(start, end):
        if out[k] != "\n":
            out[k] = " "


def _pipelines(masked: str, top: bytes, start: int, end: int) -> tuple[Pipeline, ...]:
    pipelines: list[Pipeline] = []
    segments: list[Segment] = []
    seg_start = i = start

    def close(at: int, pipeline_ends: bool) -> None:
        words = _words(masked, top, seg_start, at)
        if words:
            segments.append(Segment(words, words[0].start, words[-1].start + len(words[-1].raw)))
        if pipeline_ends and segments:
            pipelines.append(Pipeline(tuple(segments)))
            segments.clear()

    while i < end:
        c = masked[i]
        if not top[i] or c not in ";&|()\n":
            i += 1
            continue
        two = masked[i : i + 2]
        if c == "|" and two != "||":
            close(i, pipeline_ends=False)
            i += 2 if two == "|&" else 1
        elif c == "&" and two != "&&" and (masked[i - 1 : i] in ("<", ">") or two == "&>"):
            i += 1
            continue
        else:
            close(i, pipeline_ends=True)
            i += 2 if two in ("&&", "||", ";;") else 1
        seg_start = i
    close(end, pipeline_ends=True)
    return tuple(pipelines)


def _words(masked: str, top: bytes, start: int, end: int) -> tuple[Word, ...]:
    words: list[Word] = []
    begin = -1
    for k in range(start, end + 1):
        blank = k == end or (top[k] and masked[k] in BLANKS + "\n")
        if blank and begin >= 0:
            raw = masked[begin:k]
            words.append(Word(unquote(raw), raw, begin))
            begin = -1
        elif not blank and begin < 0:
            begin = k
    return tuple(words)
