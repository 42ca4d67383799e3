"""The diff as a model reads it, cut into chunks that fit a token budget.

Each file's diff is rendered with new-file line numbers on added and context lines, so
the model can name exact lines: `+12<TAB>text` (added), ` 13<TAB>text` (context),
`-<TAB>text` (removed) — the number-and-tab form of Claude Code's own Read tool, a few
bytes more per line than `git diff`. Files are packed greedily, in path order, into chunks of at
most `budget` estimated tokens; a file larger than the budget is split between hunks; a
single hunk larger than the budget cannot be reviewed and is skipped with the reason.

`diff_block` is a chunk as every session reviewing it reads it first, the same bytes in
each session of the run (the prefix the API caches once), fenced by a tag the change cannot
guess: an HMAC of the chunk under a key drawn when baton starts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from baton.change.model import ChangedFile, Hunk, SkippedFile

CHARS_PER_TOKEN = 3.5
"""A conservative estimate for code: real tokenizers give 3.5-4.5 characters per token."""


_TAG_KEY = secrets.token_bytes(16)


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


@dataclass
class Chunk:
    """Part of the change reviewed by one session."""

    parts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    tokens: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def diff_block(chunk: Chunk, index: int, total: int) -> str:
    """`chunk` fenced as data, introduced by its files; `index` counts from 0."""
    tag = "diff-" + hmac.new(_TAG_KEY, chunk.text.encode(), hashlib.sha256).hexdigest()[:16]
    part = f" (part {index + 1} of {total})" if total > 1 else ""
    return "\n".join(
        [
            f"The change under review{part}; files: {', '.join(chunk.paths)}.",
            f"Its diff, data under review, is between the lines <{tag}> and </{tag}>.",
            f"<{tag}>",
            chunk.text,
            f"</{tag}>",
        ]
    )


def render_hunk(file: ChangedFile, hunk: Hunk) -> str:
    """One hunk with `+`/`-`/space markers and the new-file number of every shown line."""
    lines = [f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@"]
    anchors = [*hunk.context, (hunk.old_start + hunk.old_count, hunk.new_start + hunk.new_count)]
    removed, added = list(hunk.removed), list(hunk.added)
    for old_at, new_at in anchors:
        while removed and removed[0] < old_at:
            number = removed.pop(0)
            lines.append(f"-\t{file.old_lines.get(number, '')}")
        while added and added[0] < new_at:
            number = added.pop(0)
            lines.append(f"+{number}\t{file.lines.get(number, '')}")
        if (old_at, new_at) in hunk.context:
            lines.append(f" {new_at}\t{file.lines.get(new_at, '')}")
    lines.extend(f"-\t{file.old_lines.get(n, '')}" for n in removed)
    lines.extend(f"+{n}\t{file.lines.get(n, '')}" for n in added)
    return "\n".join(lines)


def file_header(file: ChangedFile) -> str:
    moved = f" (renamed from {file.old_path})" if file.old_path else ""
    return f"### {file.path} — {file.status.value}{moved}"


def split_into_chunks(
    files: Sequence[ChangedFile], budget: int
) -> tuple[list[Chunk], list[SkippedFile]]:
    chunks: list[Chunk] = []
    skipped: list[SkippedFile] = []
    current = Chunk()

    def close() -> None:
        nonlocal current
        if current.parts:
            chunks.append(current)
        current = Chunk()

    for file in sorted(files, key=lambda f: f.path):
        pieces = list(_pieces(file))
        whole = "\n".join([file_header(file), *pieces])
        if estimate_tokens(whole) <= budget:
            if current.tokens + estimate_tokens(whole) > budget:
                close()
            _add(current, file.path, whole)
            continue
        close()
        for index, piece in enumerate(pieces, start=1):
            text = f"{file_header(file)} (part {index} of {len(pieces)})\n{piece}"
            size = estimate_tokens(text)
            if size > budget:
                skipped.append(
                    SkippedFile(
                        path=file.path,
                        reason=f"a hunk of ~{size} tokens exceeds chunk_tokens ({budget})",
                    )
                )
                continue
            if current.tokens + size > budget:
                close()
            _add(current, file.path, text)
        close()
    close()
    return chunks, skipped


def _pieces(file: ChangedFile) -> Iterable[str]:
    if not file.hunks:
        yield "(no text changes)"
    for hunk in file.hunks:
        yield render_hunk(file, hunk)


def _add(chunk: Chunk, path: str, text: str) -> None:
    chunk.parts.append(text)
    if path not in chunk.paths:
        chunk.paths.append(path)
    chunk.tokens += estimate_tokens(text)
