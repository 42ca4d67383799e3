"""Credential formats and private key headers baton reads itself, beside detect-secrets.

detect-secrets knows a fixed list of private key headers and provider formats. This module
reads each line of a text file for what it misses:

* private key headers of any PEM label (`-----BEGIN ENCRYPTED PRIVATE KEY-----`,
  `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`, …) and PuTTY key files of any version
  (`PuTTY-User-Key-File-3:`), when key material follows: a run of base64 on the header's line
  or on one of the next few lines (a header quoted alone in code is no key);
* Google API keys (`AIza` and 35 more characters), unless the body is obviously fake
  (`AIzaXXXX…`, a placeholder word, repeated characters, low entropy).

Public keys and certificates (`BEGIN PUBLIC KEY`, `BEGIN CERTIFICATE`) are never matched.
`key_block` finds the extent of a private key reported on a line, for detect-secrets' findings
and baton's alike: its header line, its last line, and the lines of key material between
them, which go to the run's redactor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baton.agents.builtin import secret_strength
from baton.secret_kinds import GOOGLE_API_KEY, OWN_PATTERNS, PRIVATE_KEY

KEY_BLOCK_LINES = 200
"""How far below its header a key's last line is looked for."""
HEADER_WINDOW = 3
"""How far below a reported line its key header is looked for (detect-secrets reports a key
in a YAML block scalar on the key's line, the one above the header)."""
MATERIAL_LINES = 6
"""How far below a header its key material is looked for."""
MIN_MATERIAL = 32
"""The shortest run of base64 that counts as key material."""
MIN_KEY_BITS = secret_strength.STRONG_BITS
"""A Google API key's body below this many bits per character is a made-up example."""

_PEM_HEADER = re.compile(r"-{4,5} ?BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)? ?-{4,5}")
_PUTTY_HEADER = re.compile(r"PuTTY-User-Key-File-\d+:")
_PEM_END = re.compile(r"-{4,5} ?END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)? ?-{4,5}")
_PUTTY_END = re.compile(r"^\s*Private-(?:MAC|Hash):")
_PUTTY_PRIVATE = re.compile(r"^\s*Private-Lines:")
_ARMOR_HEADER = re.compile(r"^[A-Za-z][\w-]*: ")
_BASE64 = re.compile(rf"[A-Za-z0-9+/]{{{MIN_MATERIAL},}}")
_PIECE = re.compile(r"[A-Za-z0-9+/=_-]{16,}")
_GOOGLE = re.compile(OWN_PATTERNS[GOOGLE_API_KEY])


@dataclass(frozen=True)
class Match:
    line: int
    """1-based, numbered as detect-secrets numbers lines."""
    kind: str
    """The secret type, in detect-secrets' terms (`baton.secret_kinds`)."""
    value: str
    """What the finding's digest is taken from: the credential, or a key's header."""
    secret: bool
    """Whether `value` itself is secret (a key's header is not: its block is, `key_block`)."""


def matches(lines: list[str], *, honor: bool) -> list[Match]:
    """The private key headers with key material and the live credential formats in a file's
    `lines`; with `honor`, lines that `pragma: allowlist secret` covers are skipped."""
    found: list[Match] = []
    for number, text in enumerate(lines, start=1):
        if len(text) > secret_strength.MAX_LINE:
            continue
        if honor and secret_strength.allowed(lines, number):
            continue
        header = _header(text)
        if header is not None and _has_material(lines, number, header.end()):
            found.append(Match(number, PRIVATE_KEY, header.group(0).strip("- "), secret=False))
        found += [
            Match(number, GOOGLE_API_KEY, m.group(0), secret=True)
            for m in _GOOGLE.finditer(text)
            if _looks_live(m.group(0).removeprefix("AIza"))
        ]
    return found


def key_block(lines: list[str], line: int) -> tuple[int, int, list[str]]:
    """The private key reported on `line` (1-based): its header line (`line` or one of the
    next `HEADER_WINDOW`; `line` when none is found), its last line (the header's own when
    the block ends there or has no end), and the key material between them, as the pieces
    a redactor should remove."""
    headers = ((n, _header(_at(lines, n))) for n in range(line, line + HEADER_WINDOW + 1))
    start, header = next(((n, h) for n, h in headers if h is not None), (line, None))
    if header is None:
        return line, line, []
    text = _at(lines, start)
    same_line = _PEM_END.search(text, header.end())
    if same_line is not None:
        return start, start, _pieces(text[header.end() : same_line.start()])
    putty = _PUTTY_HEADER.search(text) is not None
    ends = _PUTTY_END if putty else _PEM_END
    last = next(
        (n for n in range(start + 1, start + KEY_BLOCK_LINES) if ends.search(_at(lines, n))),
        None,
    )
    if last is None:
        return start, start, []
    body = [_at(lines, n) for n in range(start + 1, last)]
    if putty:
        private = next((i for i, t in enumerate(body) if _PUTTY_PRIVATE.match(t)), len(body))
        body = body[private + 1 :]
    return start, last, [piece for t in body for piece in _pieces(t)]


def _header(text: str) -> re.Match[str] | None:
    return _PEM_HEADER.search(text) or _PUTTY_HEADER.search(text)


def _at(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _has_material(lines: list[str], number: int, after: int) -> bool:
    """Whether a run of base64 follows the header: on its line, or on the next few."""
    texts = [lines[number - 1][after:], *lines[number : number + MATERIAL_LINES]]
    return any(
        any(c.isdigit() or c in "+/" for c in run)
        for text in texts
        for run in _BASE64.findall(text.replace("\\n", " "))
    )


def _pieces(text: str) -> list[str]:
    """A line of key material as the redactor should know it: the line itself and, when it
    holds quotes or escapes around the material, each run of it."""
    line = text.strip()
    if not line or _ARMOR_HEADER.match(line):
        return []
    runs = [run for run in _PIECE.findall(line.replace("\\n", " ")) if run != line]
    return [line, *runs]


def _looks_live(body: str) -> bool:
    """Whether a Google API key's body could be a real key, not a documentation example."""
    return (
        secret_strength.not_a_secret(body) is None
        and secret_strength.shannon_bits(body) >= MIN_KEY_BITS
    )
