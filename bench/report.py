"""The benchmark's results as plain data (`--json`) and as markdown tables (stdout).

Every timing is reported as the median of its samples; the samples themselves are kept in
the JSON. With more than one size, the last column is the largest size's median over the
smallest's (`50000/5000`): 10 means linear growth for a tenfold larger change.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.fanout import FANOUT, Timed
from bench.stages import GIT_DIFF, OTHERS, ROWS, TOTAL

SLOWEST_RATIO = "fan-out / slowest single agent"
CPU_SHARE = "fan-out: CPU used by the review"
OTHERS_SHARE = "fan-out: CPU taken by other processes"


@dataclass
class AgentRound:
    """Agents alone and fanned out at one `ToolRunner` parallelism."""

    parallelism: int
    alone: dict[str, Timed]
    fanout: Timed
    tools: dict[str, Timed] = field(default_factory=dict)

    @property
    def slowest(self) -> str:
        return max(self.alone, key=lambda name: median(self.alone[name].wall))

    @property
    def ratio(self) -> float:
        return median(self.fanout.wall) / median(self.alone[self.slowest].wall)


@dataclass
class SizeResult:
    """Everything measured for one synthetic change."""

    target_lines: int
    files_changed: int
    files_reviewed: int
    lines_added: int
    raw_findings: int
    findings: int
    verdict: str
    stages: dict[str, list[float]]
    default: AgentRound
    end_to_end: list[float]
    pipeline_mismatch: str | None
    experiments: list[AgentRound] = field(default_factory=list)


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def as_json(results: Sequence[SizeResult], meta: dict[str, Any]) -> dict[str, Any]:
    return {**meta, "sizes": [_size_json(result) for result in results]}


def _size_json(result: SizeResult) -> dict[str, Any]:
    return {
        "target_lines": result.target_lines,
        "files_changed": result.files_changed,
        "files_reviewed": result.files_reviewed,
        "lines_added": result.lines_added,
        "raw_findings": result.raw_findings,
        "findings": result.findings,
        "verdict": result.verdict,
        "pipeline_mismatch": result.pipeline_mismatch,
        "overhead_s": {
            row: {"median": median(samples), "samples": samples}
            for row, samples in result.stages.items()
            if row != OTHERS
        },
        "overhead_others_share": result.stages[OTHERS],
        "review_change_s": {"median": median(result.end_to_end), "samples": result.end_to_end},
        "agents": _round_json(result.default),
        "experiments": [_round_json(item) for item in result.experiments],
    }


def _timed_json(value: Timed) -> dict[str, Any]:
    return {
        "wall_median_s": median(value.wall),
        "cpu_median_s": median(value.cpu),
        "machine_cpu_median_s": median(value.machine),
        "wall_s": value.wall,
        "cpu_s": value.cpu,
        "machine_cpu_s": value.machine,
    }


def _round_json(item: AgentRound) -> dict[str, Any]:
    return {
        "parallelism": item.parallelism,
        "alone": {name: _timed_json(value) for name, value in item.alone.items()},
        "fanout": _timed_json(item.fanout),
        "tools": {name: _timed_json(value) for name, value in item.tools.items()},
        "slowest": item.slowest,
        "fanout_over_slowest": item.ratio,
    }


Cell = tuple[str, str, float | None]
"""A table row's label, one size's cell text, and the value compared across sizes."""


def markdown(results: Sequence[SizeResult], *, repeat: int, tool_repeat: int, cores: int) -> str:
    """The main table, then the parallelism experiments when there were any."""
    growth = len(results) > 1
    header = [f"{r.target_lines} lines" for r in results]
    if growth:
        header.append(f"{results[-1].target_lines}/{results[0].target_lines}")
    lines = [f"| row | {' | '.join(header)} |", f"|---|{'---:|' * len(header)}"]
    columns = [_cells(r, repeat=repeat, tool_repeat=tool_repeat, cores=cores) for r in results]
    for row in zip(*columns, strict=True):
        texts = [text for _, text, _ in row]
        if growth:
            first, last = row[0][2], row[-1][2]
            texts.append(f"{last / first:.1f}x" if first and last is not None else "")
        lines.append(f"| {row[0][0]} | {' | '.join(texts)} |")
    notes = [
        "",
        "Overhead rows in ms; the total sums the rows from parse_diff to render_markdown.",
        "Tool rows in s, with the CPU seconds the review used (tool processes and baton) in",
        f"brackets. CPU shares are of {cores} cores during the fan-out's wall time.",
    ]
    extra = _experiments(results, cores)
    return "\n".join(lines + notes + extra) + "\n"


def _cells(result: SizeResult, *, repeat: int, tool_repeat: int, cores: int) -> list[Cell]:
    """One size's column of the main table."""
    agents = result.default
    cells: list[Cell] = [
        ("files changed / reviewed", f"{result.files_changed} / {result.files_reviewed}", None),
        ("lines added", str(result.lines_added), result.lines_added),
        ("findings raw / reported", f"{result.raw_findings} / {result.findings}", None),
        ("verdict", result.verdict + _mismatch(result), None),
        (f"**baton overhead, ms, median of {repeat}**", "", None),
    ]
    for stage in ROWS:
        label = f"**{stage}**" if stage == TOTAL else stage
        label += " (not in total)" if stage == GIT_DIFF else ""
        seconds = median(result.stages[stage])
        cells.append((label, _ms(seconds), seconds))
    cells.append((OTHERS, f"{median(result.stages[OTHERS]):.0%}", None))
    cells.append((f"**tool time, s, median of {tool_repeat}**", "", None))
    for name, timed in agents.alone.items():
        cells.append((f"{name} agent alone", _timed(timed), median(timed.wall)))
    fanout = agents.fanout
    cells += [
        (f"{FANOUT} (all agents at once)", _timed(fanout), median(fanout.wall)),
        (f"**{SLOWEST_RATIO}**", f"**{agents.ratio:.2f}**", None),
        (CPU_SHARE, _share(median(fanout.cpu), fanout, cores), None),
        (OTHERS_SHARE, _share(_others(fanout), fanout, cores), None),
    ]
    for name, timed in agents.tools.items():
        cells.append((f"{name} alone", _timed(timed), median(timed.wall)))
    seconds = median(result.end_to_end)
    cells.append(("review_change (scope, agents, findings, gate)", _s(seconds), seconds))
    return cells


def _mismatch(result: SizeResult) -> str:
    return (
        f" (differs from review_change: {result.pipeline_mismatch})"
        if (result.pipeline_mismatch)
        else ""
    )


def _experiments(results: Sequence[SizeResult], cores: int) -> list[str]:
    if not any(r.experiments for r in results):
        return []
    agents = list(results[0].default.alone)
    tools = list(results[0].default.tools)
    columns = [*agents, "fan-out", "fan-out / slowest", *tools, "CPU by review", "CPU by others"]
    lines = [
        "",
        "ToolRunner parallelism experiment (median wall s, CPU s in brackets):",
        "",
        f"| lines | parallelism | {' | '.join(columns)} |",
        f"|---:|---:|{'---:|' * len(columns)}",
    ]
    for result in results:
        for item in [result.default, *result.experiments]:
            cells = [
                *(_timed(item.alone[name]) for name in agents),
                _timed(item.fanout),
                f"{item.ratio:.2f}",
                *(_timed(item.tools[name]) if name in item.tools else "" for name in tools),
                _share(median(item.fanout.cpu), item.fanout, cores),
                _share(_others(item.fanout), item.fanout, cores),
            ]
            lines.append(f"| {result.target_lines} | {item.parallelism} | {' | '.join(cells)} |")
    return lines


def _others(value: Timed) -> float:
    return max(median([m - c for m, c in zip(value.machine, value.cpu, strict=True)]), 0.0)


def _share(cpu: float, value: Timed, cores: int) -> str:
    return f"{cpu / (median(value.wall) * cores):.0%}"


def _timed(value: Timed) -> str:
    return f"{_s(median(value.wall))} ({median(value.cpu):.2f})"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _s(seconds: float) -> str:
    return f"{seconds:.2f}"
