"""Path globs with .gitignore's meaning (`tests/`, `**/*.min.js`, `!keep.md`), compiled once.

Used by the `exclude` setting and each agent's `ignore`. A glob that cannot compile (`[z-a]`)
is refused where the setting is read, naming it, so a review never starts with one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pathspec import GitIgnoreSpec


class GlobError(ValueError):
    """A glob that cannot be compiled; `str()` says which and why."""


def path_globs(globs: Sequence[str]) -> GitIgnoreSpec | None:
    """The compiled globs; None when there are none."""
    cleaned = [glob.strip() for glob in globs if glob.strip()]
    if not cleaned:
        return None
    try:
        return GitIgnoreSpec.from_lines(cleaned)
    except (ValueError, re.error) as err:
        raise GlobError(f"invalid glob: {err}") from None


def checked_globs(globs: list[str]) -> list[str]:
    """`globs` unchanged once they compile: a pydantic validator."""
    path_globs(globs)
    return globs
