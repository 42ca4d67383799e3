"""Repository files read through a platform's API, as text: the checks every platform shares.

A configuration or prompt file read at a commit must be UTF-8 text of at most 1 MB; a binary
file, another encoding or a bigger file stops the review with one line naming the file, the
commit and the cause (`unreadable`).
"""

from __future__ import annotations

from baton.errors import IncompleteReviewError

MAX_BYTES = 1024 * 1024


def file_text(data: bytes, where: str) -> str:
    """`data` as text; `where` names the file for the error ("x.toml at abc123 from GitHub")."""
    if len(data) > MAX_BYTES:
        raise unreadable(where, f"the file is over 1 MB ({len(data)} bytes)")
    if b"\0" in data:
        raise unreadable(where, "the file is binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise unreadable(where, f"the file is not UTF-8 text (byte {err.start})") from None


def unreadable(where: str, cause: str) -> IncompleteReviewError:
    return IncompleteReviewError(f"cannot read {where}: {cause}")
