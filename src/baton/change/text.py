"""A file's bytes as the tools read them: decoded to text, and their lines in git's numbers.

git numbers lines by `\\n` alone; Python, ruff and detect-secrets also end a line at a bare
`\\r`. A file with CR-only (or mixed) line ends is therefore one line to git and many to the
tools: `LineMap` turns a tool's line number back into git's, so a finding lands on the line
the diff shows. Decoding honours a byte-order mark, a Python file's coding cookie (PEP 263)
and UTF-8; anything else is read as Latin-1, which maps every byte, so a secret in a file
of any encoding is still ASCII text to the scanner.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

BINARY_PROBE = 8000
"""git's test: a NUL byte in the first 8000 bytes makes a file binary."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_PYTHON = (".py", ".pyi", ".pyw")


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:BINARY_PROBE]


def decode(data: bytes, path: str) -> str:
    """The text of a file, whatever its encoding; never fails."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    wide = _utf16_without_bom(data)
    if wide is not None:
        return data.decode(wide, "replace")
    cookie = _cookie(data) if path.endswith(_PYTHON) else None
    try:
        if cookie is not None:
            return data.decode(cookie, "replace")
    except UnicodeError:  # a codec that refuses `replace` (idna): read the bytes as below
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_ASCII = bytes(range(32, 127)) + b"\t\r\n"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a mark: NUL bytes on one side of most pairs."""
    probe = data[:BINARY_PROBE]
    if len(probe) < 4 or len(probe) % 2 or b"\0" not in probe:
        return None
    odd, even = probe[1::2].count(0), probe[0::2].count(0)
    half = len(probe) // 2
    if odd > 0.8 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.8 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _cookie(data: bytes) -> str | None:
    """The codec a Python file's coding cookie names, if Python itself would accept it.

    Python reads the cookie only for text codecs that keep ASCII as it is; a cookie naming
    anything else (`rot13`, `utf-16`, `punycode`) makes the file unrunnable, and must not make
    its ASCII text — a secret, say — unreadable to the scanners.
    """
    for line in data.split(b"\n", 2)[:2]:
        found = _COOKIE.match(line)
        if found is not None:
            try:
                codec = codecs.lookup(found.group(1).decode("ascii"))
                keeps_ascii = (
                    codec._is_text_encoding and _ASCII.decode(codec.name) == _ASCII.decode()
                )
            except (LookupError, UnicodeError):
                return None
            return codec.name if keeps_ascii else None
        if line.strip() and not line.lstrip().startswith(b"#"):
            return None
    return None


@dataclass(frozen=True)
class LineMap:
    """git's line number of each line a tool counts (`\\r`, `\\r\\n` and `\\n` end lines)."""

    git_lines: tuple[int, ...]

    def git_line(self, tool_line: int) -> int:
        if not self.git_lines:
            return tool_line
        return self.git_lines[min(max(tool_line, 1), len(self.git_lines)) - 1]


def line_map(text: str) -> LineMap | None:
    """None when the tools and git count the same lines (no bare `\\r`)."""
    if "\r" not in text.replace("\r\n", ""):
        return None
    numbers: list[int] = []
    for number, segment in enumerate(text.split("\n"), start=1):
        body = segment.removesuffix("\r")
        numbers.extend([number] * (body.count("\r") + 1))
    return LineMap(tuple(numbers))
