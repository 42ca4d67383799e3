"""Reading shard reports for `baton merge`, and what makes one unusable.

A folder is searched for `shard-K/report.json` files (where a shard job writes its report in
CI, and so its artefact); a file is taken as it is. Each report must parse as a review of
this baton version that was reviewed as a shard. The shards must agree on the change (base,
head, the plan of its files), on N and on the gate's settings; each K from 1 to N must be
there once. Whatever breaks this becomes a reason in `problems`, which makes the merged
review incomplete, never a partial pass; nothing usable at all is an incomplete review on
its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from baton._version import __version__
from baton.errors import IncompleteReviewError, UsageError
from baton.report import Review
from baton.shards.plan import ShardRecord

MAX_REPORT_BYTES = 512 * 1024 * 1024
REPORT_NAME = "report.json"
SHARD_FOLDER_RE = re.compile(r"shard-\d+")


@dataclass
class Loaded:
    reviews: list[Review] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def report_files(paths: Sequence[Path]) -> list[Path]:
    """The report files `paths` name: files as given, folders searched for shard reports."""
    if not paths:
        raise UsageError("baton merge needs shard reports: files or folders holding them")
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob(REPORT_NAME) if SHARD_FOLDER_RE.fullmatch(p.parent.name)
            )
            if not inside:  # the shard jobs left no artefact: every shard is missing
                raise IncompleteReviewError(f"{path} holds no shard-K/{REPORT_NAME}")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"shard report not found: {path}")
    return list(dict.fromkeys(found))


def load_shards(paths: Sequence[Path]) -> Loaded:
    loaded = Loaded()
    accepted: list[tuple[Path, Review, ShardRecord]] = []
    for path in report_files(paths):
        review = _read(path, loaded.problems)
        if review is None:
            continue
        if review.baton_version != __version__:
            loaded.problems.append(
                f"{path}: written by baton {review.baton_version}, this is {__version__}"
            )
        elif review.shard is None:
            loaded.problems.append(f"{path}: not a shard's report (reviewed without --shard)")
        else:
            accepted.append((path, review, review.shard))
    if not accepted:
        reasons = "; ".join(loaded.problems) or "no reports"
        raise IncompleteReviewError(f"no shard report can be merged: {reasons}")
    _, first, reference = _most_agreed(accepted)
    seen: dict[int, Path] = {}
    for path, review, record in accepted:
        foreign = _differs(first, reference, review, record)
        if foreign:
            loaded.problems.append(f"{path}: shard of another review ({foreign})")
        elif record.index in seen:
            loaded.problems.append(
                f"{path}: shard {record.index}/{record.total} again (also {seen[record.index]})"
            )
        else:
            seen[record.index] = path
            loaded.reviews.append(review)
    loaded.problems.extend(
        f"shard {index}/{reference.total} is missing"
        for index in range(1, reference.total + 1)
        if index not in seen
    )
    loaded.reviews.sort(key=lambda r: r.shard.index if r.shard else 0)
    return loaded


def _read(path: Path, problems: list[str]) -> Review | None:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as err:
        problems.append(f"{path}: cannot be read: {err.strerror or err}")
        return None
    if len(data) > MAX_REPORT_BYTES:
        problems.append(f"{path}: larger than {MAX_REPORT_BYTES // 2**20} MiB")
        return None
    try:
        return Review.model_validate(json.loads(data))
    except (ValueError, ValidationError) as err:
        first = str(err).strip().splitlines()[0][:200]
        problems.append(f"{path}: not a baton report ({first})")
        return None


def _most_agreed(
    accepted: Sequence[tuple[Path, Review, ShardRecord]],
) -> tuple[Path, Review, ShardRecord]:
    """A report of the review most reports belong to (the earliest among equals), so one
    stray report cannot push out all the others."""
    return max(
        accepted,
        key=lambda entry: sum(not _differs(entry[1], entry[2], r, s) for _, r, s in accepted),
    )


def _differs(first: Review, reference: ShardRecord, review: Review, record: ShardRecord) -> str:
    """What sets `review` apart from the first shard's review ("" when it belongs)."""
    pairs = (
        ("head", first.head, review.head),
        ("base", first.base, review.base),
        ("N", reference.total, record.total),
        ("plan", reference.plan, record.plan),
        ("fail_on", reference.fail_on, record.fail_on),
        ("min_diff_coverage", reference.min_diff_coverage, record.min_diff_coverage),
    )
    return ", ".join(f"{name} {new} not {old}" for name, old, new in pairs if old != new)
