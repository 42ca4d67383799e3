"""Shared pieces of the agents for CI files (`workflows`, `shell`, `dockerfile`).

They run zizmor, shellcheck and hadolint on a staged copy of the changed files: a fresh
folder holding only the files the agent reviews, at their repository paths, so no
configuration file of the change's (`.shellcheckrc`, `.hadolint.yaml`, `zizmor.yml`) sits
beside them or in the tool's working directory. A copy may be rewritten on the way, e.g. to
neutralise an inline suppression directive: rewrites keep every line and column in place.

All three number lines as git does, at LF only: a bare CR is text to them (shellcheck
reports it as SC1017), not a line end as it is to Python's tools. Their line numbers are
therefore used as they are, never moved by `common.at_git_lines`.

Files larger than `MAX_TOOL_BYTES` are not given to these tools (shellcheck's analysis grows
faster than linearly: a few hundred kilobytes take tens of seconds); they are listed as
skipped with the reason.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from baton.change.model import SkippedFile
from baton.change.workspace import Workspace
from baton.errors import AgentError
from baton.findings.model import Severity

MAX_TOOL_BYTES = 256 * 1024
"""Largest file shellcheck and hadolint are given."""

SHELLCHECK_LEVELS = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "info": Severity.LOW,
    "style": Severity.INFO,
}
"""shellcheck's levels (also hadolint's levels for the shellcheck rules it embeds)."""

Rewrite = Callable[[str], str]


def shellcheck_url(code: str) -> str:
    return f"https://www.shellcheck.net/wiki/{code}"


def neutralise(pattern: re.Pattern[str], text: str, group: str = "keyword") -> str:
    """`text` with the named group of every match replaced by dashes of the same length."""
    if pattern.search(text) is None:
        return text
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span(group)
        parts.extend([text[last:start], "-" * (end - start)])
        last = end
    parts.append(text[last:])
    return "".join(parts)


def reviewable(
    workspace: Workspace, paths: Iterable[str], tool: str
) -> tuple[list[str], list[SkippedFile]]:
    """The paths the tool can be given, and why the others are not."""
    kept: list[str] = []
    skipped: list[SkippedFile] = []
    for path in paths:
        if not workspace.has_text(path):
            skipped.append(SkippedFile(path=path, reason=f"{tool}: no text to check"))
            continue
        size = (workspace.text / path).stat().st_size
        if size > MAX_TOOL_BYTES:
            reason = f"{tool}: too large ({size:,} bytes; the limit is {MAX_TOOL_BYTES:,})"
            skipped.append(SkippedFile(path=path, reason=reason))
            continue
        kept.append(path)
    return kept, skipped


@contextlib.contextmanager
def staged(
    workspace: Workspace, paths: Iterable[str], rewrite: Rewrite | None = None
) -> Iterator[Path]:
    """A folder holding the files (rewritten, if asked) at their repository paths.

    Run the tool there. Its parent is a scratch folder of its own, free for files baton
    hands the tool (an empty configuration), out of the tool's sight.
    """
    with tempfile.TemporaryDirectory(prefix="baton-ci-") as scratch:
        tree = Path(scratch) / "tree"
        tree.mkdir()
        for path in paths:
            data = (workspace.text / path).read_bytes()
            if rewrite is not None:
                data = rewrite(data.decode("utf-8", "replace")).encode("utf-8")
            target = tree / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        yield tree


@contextlib.contextmanager
def output_shape(tool: str) -> Iterator[None]:
    """Turn a missing key or a wrong type met while reading a tool's JSON into `AgentError`."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
        raise AgentError(f"{tool} output has an unexpected shape: {err!r}"[:200]) from err
