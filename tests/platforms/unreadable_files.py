"""Files the platforms' read_file refuses, with the cause both platforms give (repo_text)."""

from __future__ import annotations

UNREADABLE = [
    (b'fail_on = "high"\n# \xe9t\xe9\n', "the file is not UTF-8 text (byte 19)"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "the file is binary"),
    (b"x" * (1024 * 1024 + 1), "the file is over 1 MB (1048577 bytes)"),
]
