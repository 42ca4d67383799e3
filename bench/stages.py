"""baton's own overhead: each in-process stage of a review, timed with `time.perf_counter`.

The stages are those `baton.pipeline.review_change` runs around the agents, called the same
way and in the same order, on the real findings the agents produced for the change. The git
subprocess that produces the diff is timed as its own row and left out of the total.
`mirrors_pipeline` checks that these stages still give what `review_change` gives.
"""

from __future__ import annotations

import gc
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from baton.agents.runner import AgentRun
from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.change.revision import WORKING_TREE
from baton.change.scope import select_files, trusted_attributes
from baton.change.source import git_diff
from baton.change.workspace import build_workspace
from baton.gate import decide
from baton.pipeline.settle import settle
from baton.render.markdown import render_markdown
from baton.report import Review
from baton.settings import Settings
from bench.fanout import cores, machine_busy, own_cpu

GIT_DIFF = "git diff (subprocesses)"
PARSE = "parse_diff"
WORKSPACE = "workspace (the head's changed files from git, written for the tools)"
SCOPE = "select_files (attributes from the base, skip reasons)"
FINDINGS = "findings (notes, place, suppress, fingerprint, merge, sort)"
GATE = "gate (decide)"
REVIEW = "Review model"
RENDER = "render_markdown"
TOTAL = "baton overhead total"
OTHERS = "overhead: CPU taken by other processes"
"""Share of all cores other processes used during a pass (a fraction, not seconds)."""

STAGES = (PARSE, WORKSPACE, SCOPE, FINDINGS, GATE, REVIEW, RENDER)
"""The stages summed into `TOTAL`."""
ROWS = (GIT_DIFF, *STAGES, TOTAL)


@dataclass(frozen=True)
class StagedReview:
    """What one pass over the stages produced, to compare with `review_change`."""

    change: ChangeSet
    review: Review
    markdown: str


def time_stages(
    root: Path,
    base: str,
    head: str,
    settings: Settings,
    runs: Sequence[AgentRun],
    repeat: int,
) -> tuple[dict[str, list[float]], StagedReview]:
    """Seconds per row of `ROWS` (and `OTHERS`), a sample per repetition, and the last output."""
    samples: dict[str, list[float]] = {row: [] for row in ROWS}
    last: StagedReview | None = None
    samples[OTHERS] = []
    for _ in range(repeat):
        gc.collect()
        cpu, machine, started = own_cpu(), machine_busy(), time.perf_counter()
        timings, last = _one_pass(root, base, head, settings, runs)
        wall = time.perf_counter() - started
        others = (machine_busy() - machine) - (own_cpu() - cpu)
        samples[OTHERS].append(max(others, 0.0) / (wall * cores()))
        for row, seconds in timings.items():
            samples[row].append(seconds)
        samples[TOTAL].append(sum(timings[stage] for stage in STAGES))
    if last is None:
        raise ValueError("repeat must be at least 1")
    return samples, last


def _one_pass(
    root: Path, base: str, head: str, settings: Settings, runs: Sequence[AgentRun]
) -> tuple[dict[str, float], StagedReview]:
    clock = time.perf_counter
    timings: dict[str, float] = {}

    started = clock()
    raw, base_sha, head_sha = git_diff(root, base, head)
    timings[GIT_DIFF], started = clock() - started, clock()

    change = parse_diff(raw, root=str(root), base=base_sha, head=head_sha)
    timings[PARSE], started = clock() - started, clock()

    with tempfile.TemporaryDirectory(prefix="baton-bench-") as folder:
        workspace = build_workspace(change, Path(folder), max_file_bytes=settings.max_file_bytes)
        timings[WORKSPACE], started = clock() - started, clock()

        paths = [f.path for f in change.files]
        skipped = select_files(
            change,
            workspace,
            exclude=settings.exclude,
            max_file_bytes=settings.max_file_bytes,
            attributes=trusted_attributes(root, WORKING_TREE, paths),
        ).skipped
        timings[SCOPE], started = clock() - started, clock()

    locked = frozenset({"baton", *(run.result.name for run in runs)})
    settled = settle(runs, change, settings, frozenset(), locked)
    findings, suppressed = settled.findings, settled.suppressed
    timings[FINDINGS], started = clock() - started, clock()

    results = [run.result for run in runs]
    gate = decide(findings, results, settings.fail_on)
    timings[GATE], started = clock() - started, clock()

    review = Review(
        base=change.base,
        head=change.head,
        files_changed=len(change.files),
        lines_added=change.added_count,
        agents=tuple(results),
        findings=tuple(findings),
        suppressed=tuple(suppressed),
        skipped=tuple(skipped),
        gate=gate,
    )
    timings[REVIEW], started = clock() - started, clock()

    markdown = render_markdown(review)
    timings[RENDER] = clock() - started
    return timings, StagedReview(change=change, review=review, markdown=markdown)


def mirrors_pipeline(staged: Review, piped: Review) -> str | None:
    """None when both reviews agree on findings, skips and verdict; else what differs."""
    if [f.fingerprint for f in staged.findings] != [f.fingerprint for f in piped.findings]:
        return f"findings differ: {len(staged.findings)} staged, {len(piped.findings)} piped"
    if staged.suppressed != piped.suppressed:
        return "suppressed findings differ"
    if staged.skipped != piped.skipped:
        return "skipped files differ"
    if staged.gate != piped.gate:
        return f"gate differs: {staged.gate.verdict} staged, {piped.gate.verdict} piped"
    return None
