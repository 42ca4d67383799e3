"""Which files shard K of N reviews.

Every changed file lands in exactly one shard, skipped, generated and vendored ones too, so
each is accounted for once. Shards are balanced by changed lines (added and removed lines,
plus one per file): files are dealt longest first to the least loaded shard. The plan depends
only on the change's files, so a rerun of the same head reviews the same share, and its
digest lets `baton merge` tell shards of one change from a stranger's.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from baton.change.model import ChangedFile, ChangeSet
from baton.errors import UsageError

MAX_SHARDS = 256
SHARD_RE = re.compile(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*")


class ShardRecord(BaseModel):
    """What a shard's report says about its share, for `baton merge` to check."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=1, description="K of K/N, from 1.")
    total: int = Field(ge=1, le=MAX_SHARDS, description="N of K/N.")
    plan: str = Field(description="Digest of the whole change's files and their weights.")
    files: tuple[str, ...] = Field(default=(), description="The paths this shard reviewed.")
    fail_on: str = Field(description="The gate's threshold this shard was reviewed with.")
    min_diff_coverage: float = Field(description="The diff coverage minimum it used.")


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` as (K, N), 1 ≤ K ≤ N ≤ 256; anything else is a one-line usage error."""
    match = SHARD_RE.fullmatch(text)
    if match is None:
        raise UsageError(f"--shard must be K/N, e.g. 2/4 (got {text!r})")
    index, total = int(match[1]), int(match[2])
    if not 1 <= total <= MAX_SHARDS:
        raise UsageError(f"--shard {text}: N must be 1 to {MAX_SHARDS}")
    if not 1 <= index <= total:
        raise UsageError(f"--shard {text}: K must be 1 to N ({total})")
    return index, total


def shard_setting(given: str | None, environ: Mapping[str, str]) -> str | None:
    """The shard to review: `--shard`/`BATON_SHARD`, else GitLab's `parallel:` job index."""
    if given:
        return given
    total = environ.get("CI_NODE_TOTAL", "").strip()
    if environ.get("GITLAB_CI") == "true" and total not in ("", "1"):
        return f"{environ.get('CI_NODE_INDEX', '').strip()}/{total}"
    return None


def weight(file: ChangedFile) -> int:
    return len(file.added_lines) + len(file.old_lines) + 1


def assign(files: Sequence[ChangedFile], total: int) -> list[int]:
    """The shard (0-based) of each file: longest first, to the least loaded shard (the lowest
    index among equals); ties between files are broken by path, so the order of the diff
    does not matter."""
    order = sorted(range(len(files)), key=lambda i: (-weight(files[i]), files[i].path))
    loads = [(0, shard) for shard in range(total)]
    heapq.heapify(loads)
    chosen = [0] * len(files)
    for i in order:
        load, shard = heapq.heappop(loads)
        chosen[i] = shard
        heapq.heappush(loads, (load + weight(files[i]), shard))
    return chosen


def plan_digest(files: Sequence[ChangedFile], total: int) -> str:
    digest = hashlib.sha256(f"{total}\n".encode())
    for file in sorted(files, key=lambda f: f.path):
        digest.update(f"{file.path}\0{weight(file)}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def take_share(
    change: ChangeSet, index: int, total: int, *, fail_on: str, min_diff_coverage: float
) -> tuple[ChangeSet, ShardRecord]:
    """The part of `change` shard `index` of `total` reviews, and the record of it."""
    shards = assign(change.files, total)
    mine = tuple(f for f, shard in zip(change.files, shards, strict=True) if shard == index - 1)
    record = ShardRecord(
        index=index,
        total=total,
        plan=plan_digest(change.files, total),
        files=tuple(f.path for f in mine),
        fail_on=fail_on,
        min_diff_coverage=min_diff_coverage,
    )
    return change.model_copy(update={"files": mine}), record
