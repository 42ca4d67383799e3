"""`baton merge REPORT…`: the shards' reports as one review, gated once and posted once.

Outside CI it prints the comment and writes the reports it is asked for. In a GitHub or GitLab
job it also loads the change the way `baton review` does (without sharding it), checks that
the shards reviewed this job's head and split this change's files, and posts the one review.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from baton.agents.runner import Progress
from baton.change.model import ChangedFile, ChangeSet
from baton.memory.context import Recalled
from baton.platforms.detect import platform_name
from baton.report import Review
from baton.run import deliver, prepare, recall
from baton.settings import PlatformName, load_settings
from baton.shards.combine import combine
from baton.shards.load import load_shards
from baton.shards.memory import merged_state
from baton.shards.plan import assign, plan_digest


def run_merge(
    paths: Sequence[Path],
    cli_values: Mapping[str, Any],
    *,
    config: Path | None,
    progress: Progress,
) -> int:
    loaded = load_shards(paths)
    reviews, problems = loaded.reviews, list(loaded.problems)
    noun = "report" if len(reviews) == 1 else "reports"
    progress(f"merging {len(reviews)} shard {noun}")
    local = load_settings(cli_values, {}, "")
    if platform_name(local, os.environ) is PlatformName.LOCAL:
        review = _combined(reviews, problems, None, progress)
        change = ChangeSet(root=".", base=review.base, head=review.head)
        deliver(review, local, None, None, change, progress)
    else:
        ready = prepare(cli_values, config=config, progress=progress, sharded=False)
        problems += _against_job(reviews, ready.change.head, ready.change.files)
        recalled = recall(ready.platform, ready.request, progress)
        review = _combined(reviews, problems, recalled, progress).model_copy(
            # the whole change's size, also when a shard is missing
            update={
                "files_changed": len(ready.change.files),
                "lines_added": ready.change.added_count,
            }
        )
        deliver(review, ready.settings, ready.platform, ready.request, ready.change, progress)
    progress(f"verdict: {review.gate.verdict.value} (exit {review.gate.exit_code})")
    return review.gate.exit_code


def _combined(
    reviews: Sequence[Review],
    problems: Sequence[str],
    recalled: Recalled | None,
    progress: Progress,
) -> Review:
    """The one review, with the state it leaves for the next run on the change request."""
    for problem in problems:
        progress(f"warning: {problem}")
    review = combine(reviews, problems)
    state = merged_state(review, reviews, recalled, whole=not problems)
    return review.model_copy(update={"memory": state})


def _against_job(
    reviews: Sequence[Review], head: str | None, files: Sequence[ChangedFile]
) -> list[str]:
    """Every shard must have reviewed the head this job checked out (a report that names no
    head, as a forged one might, never did) and exactly its share of this job's change."""
    first = reviews[0]
    record = first.shard
    if head is not None and head != first.head:
        reviewed = first.head[:12] if first.head else "no named commit"
        return [f"the shards reviewed {reviewed}, this job's head is {head[:12]}"]
    if record is None:
        return []
    if plan_digest(files, record.total) != record.plan:
        return ["the shards split other files than this job's change holds"]
    shares = assign(files, record.total)
    problems = []
    for review in reviews:
        if review.shard is None:
            continue
        k = review.shard.index
        share = tuple(f.path for f, s in zip(files, shares, strict=True) if s == k - 1)
        if review.shard.files != share:
            problems.append(
                f"shard {k}/{record.total} reviewed other files than its share of this change"
            )
    return problems
