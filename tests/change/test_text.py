"""A file's bytes as the tools read them: its text in any encoding, and git's line numbers.

The tools end a line at `\\r`, `\\r\\n` or `\\n`; git only at `\\n`. For CR-only and mixed
files the line map sends every tool line back to the git line the diff shows.
"""

from __future__ import annotations

import codecs
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from baton.change.text import BINARY_PROBE, LineMap, decode, is_binary, line_map

UNIVERSAL_END = re.compile(r"\r\n|\r|\n")
PREFIXES = [
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    b"# coding: cp1252\n",
    b"#!/usr/bin/python\n# -*- coding: shift_jis -*-\n",
    b"# coding: utf-8\n",
    b"# coding: no-such-codec\n",
]


def git_line_of_each_tool_line(text: str) -> list[int]:
    """Where each line the tools count starts, as git's (`\\n`-only) line number."""
    starts = [0] + [m.end() for m in UNIVERSAL_END.finditer(text)]
    return [text.count("\n", 0, start) + 1 for start in starts]


@pytest.mark.parametrize(
    ("data", "path", "text"),
    [
        ("key = 'café'\n".encode(), "a.py", "key = 'café'\n"),
        (codecs.BOM_UTF8 + "café".encode(), "a.txt", "café"),
        (codecs.BOM_UTF16_LE + "café\n".encode("utf-16-le"), "a.txt", "café\n"),
        (codecs.BOM_UTF16_BE + "café\n".encode("utf-16-be"), "a.txt", "café\n"),
        (codecs.BOM_UTF32_LE + "café\n".encode("utf-32-le"), "a.txt", "café\n"),
        (codecs.BOM_UTF32_BE + "café\n".encode("utf-32-be"), "a.txt", "café\n"),
        ("password = 'hunter2'\n".encode("utf-16-le"), "a.cfg", "password = 'hunter2'\n"),
        ("password = 'hunter2'\n".encode("utf-16-be"), "a.cfg", "password = 'hunter2'\n"),
        (b"pass = 'h\xe9llo'\n", "a.txt", "pass = 'héllo'\n"),
        (b"\x80\x81 key", "a.bin", "\x80\x81 key"),
        (b"", "a.py", ""),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf32le-bom",
        "utf32be-bom",
        "utf16le-no-bom",
        "utf16be-no-bom",
        "invalid-utf8-is-latin1",
        "c1-bytes-are-latin1",
        "empty",
    ],
)
def test_decode_honours_marks_and_falls_back_to_latin1(data: bytes, path: str, text: str) -> None:
    assert decode(data, path) == text


@pytest.mark.parametrize(
    ("data", "path", "text"),
    [
        (b"# -*- coding: cp1252 -*-\nprice = '\x80'\n", "a.py",
         "# -*- coding: cp1252 -*-\nprice = '€'\n"),
        (b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ns = '\x80'\n", "a.pyi",
         "#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ns = '€'\n"),
        (b"\t# coding=koi8-r\n\xc1\n", "tool.pyw", "\t# coding=koi8-r\n\u0430\n"),
        (b"# coding: cp1252\ns = '\x80'\n", "notes.txt", "# coding: cp1252\ns = '\x80'\n"),
        (b"x = 1\n# coding: cp1252\ns = '\x80'\n", "a.py", "x = 1\n# coding: cp1252\ns = '\x80'\n"),
        (b"#!/bin/python\n#\n# coding: cp1252\n'\x80'\n", "a.py",
         "#!/bin/python\n#\n# coding: cp1252\n'\x80'\n"),
        (b"# coding: no-such-codec\ns = 'caf\xc3\xa9'\n", "a.py",
         "# coding: no-such-codec\ns = 'café'\n"),
        (b"# coding: no-such-codec\ns = 'caf\xe9'\n", "a.py",
         "# coding: no-such-codec\ns = 'café'\n"),
    ],
    ids=[
        "cookie-line-1",
        "cookie-line-2",
        "indented-cookie-pyw",
        "not-python-no-cookie",
        "code-before-cookie",
        "cookie-on-line-3",
        "unknown-cookie-utf8",
        "unknown-cookie-latin1",
    ],
)  # fmt: skip
def test_decode_honours_a_python_coding_cookie_on_line_one_or_two(
    data: bytes, path: str, text: str
) -> None:
    assert decode(data, path) == text


@given(
    st.sampled_from(PREFIXES),
    st.binary(max_size=300),
    st.sampled_from(["a.py", "a.txt", "x", "b.pyi"]),
)
def test_decode_never_raises(prefix: bytes, data: bytes, path: str) -> None:
    assert isinstance(decode(prefix + data, path), str)


@pytest.mark.parametrize("codec", ["rot13", "base64", "hex", "zlib", "uu", "idna"])
def test_decode_never_raises_on_a_cookie_naming_a_codec_that_is_not_text(codec: str) -> None:
    data = f"# coding: {codec}\nkey = 'AKIAIOSFODNN7EXAMPLE'\n".encode()

    assert isinstance(decode(data, "hostile.py"), str)


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "punycode"])
def test_a_cookie_python_refuses_does_not_hide_an_ascii_secret(codec: str) -> None:
    data = f"# coding: {codec}\nkey = 'AKIAIOSFODNN7EXAMPLE'\n".encode()

    assert "AKIAIOSFODNN7EXAMPLE" in decode(data, "hostile.py")


@given(st.binary(max_size=200))
def test_bytes_that_are_neither_marked_nor_utf8_are_latin1(data: bytes) -> None:
    probe = data[:BINARY_PROBE]
    marked = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    assume(not marked and b"\0" not in probe)
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError:
        expected = data.decode("latin-1")
    assert decode(data, "secret.txt") == expected


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"", False),
        (b"plain text\n", False),
        (b"\x89PNG\r\n\x1a\n\x00", True),
        (b"x" * (BINARY_PROBE - 1) + b"\0", True),
        (b"x" * BINARY_PROBE + b"\0", False),
        ("text".encode("utf-16-le"), True),
        (b"caf\xe9\xff", False),
    ],
)
def test_is_binary_looks_for_a_nul_in_the_first_8000_bytes(data: bytes, binary: bool) -> None:
    assert is_binary(data) is binary


@pytest.mark.parametrize(
    "text", ["", "one line", "a\nb\n", "a\r\nb\r\n", "a\r\nb\nc", "\r\n\r\n", "tab\tform\x0c\n"]
)
def test_no_map_when_git_and_the_tools_count_the_same_lines(text: str) -> None:
    assert line_map(text) is None


@pytest.mark.parametrize(
    ("text", "git_lines"),
    [
        ("a\rb\rc", (1, 1, 1)),
        ("a\rb\rc\n", (1, 1, 1, 2)),
        ("a\r\nb\rc\nd", (1, 2, 2, 3)),
        ("x = 1\ny = 2\rz = 3\r\nw\n", (1, 2, 2, 3, 4)),
        ("\r\r\n\n", (1, 1, 2, 3)),
        ("a\r", (1,)),
    ],
)
def test_cr_only_and_mixed_endings_map_each_tool_line_to_gits(
    text: str, git_lines: tuple[int, ...]
) -> None:
    found = line_map(text)

    assert found == LineMap(git_lines)
    assert [found.git_line(n) for n in range(1, len(git_lines) + 1)] == list(git_lines)


def test_a_tool_line_past_either_end_maps_to_the_nearest_git_line() -> None:
    found = line_map("first\rsecond\nthird\rfourth\n")

    assert found is not None
    assert found.git_line(0) == 1
    assert found.git_line(-3) == 1
    assert found.git_line(5) == 3
    assert found.git_line(99) == 3


def test_an_empty_map_keeps_the_tools_line() -> None:
    assert LineMap(()).git_line(7) == 7


@given(st.lists(st.sampled_from(["a", "bc", "\r", "\n", "\r\n"]), max_size=40).map("".join))
def test_every_tool_line_maps_to_the_git_line_holding_it(text: str) -> None:
    tool_lines = UNIVERSAL_END.split(text)
    git_lines = text.split("\n")
    expected = git_line_of_each_tool_line(text)

    found = line_map(text)

    if found is None:
        assert tool_lines == [line.removesuffix("\r") for line in git_lines]
        assert expected == list(range(1, len(tool_lines) + 1))
        return
    for number, tool_text in enumerate(tool_lines, start=1):
        git_number = found.git_line(number)
        assert git_number == expected[number - 1]
        assert tool_text in git_lines[git_number - 1]
