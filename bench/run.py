"""The benchmark's command line: `python -m bench.run --sizes 5000,50000 --repeat 5`.

For each size it builds a synthetic change (`bench.corpus`) in a temporary directory, runs
the agents once to warm up, then times the agents alone and fanned out (`bench.fanout`),
each external tool alone, `review_change` end to end, and baton's own stages on the
agents' real findings (`bench.stages`). It prints markdown tables, or JSON with `--json`.
`--parallelism 1,4` repeats the agent timings with `ToolRunner(parallelism=N)`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from baton.agents.tools import ToolRunner
from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.change.scope import select_files
from baton.change.source import git_diff
from baton.change.workspace import build_workspace
from baton.pipeline import review_change
from baton.report import Review
from baton.settings import Settings
from bench.corpus import build_corpus
from bench.fanout import BenchError, Target, cores, time_agents, time_tools, warm_up
from bench.report import AgentRound, SizeResult, as_json, markdown
from bench.stages import mirrors_pipeline, time_stages

BASE, HEAD = "main", "feature"
TOOL_VERSIONS = ("bandit", "detect-secrets", "ruff", "unidiff", "pydantic", "jinja2")


def bench_size(
    workdir: Path,
    target: int,
    *,
    repeat: int,
    tool_repeat: int,
    parallelism: Sequence[int] = (),
    progress: bool = False,
) -> SizeResult:
    """Measure one synthetic change of about `target` added lines."""
    say = _say if progress else _quiet
    corpus = build_corpus(workdir / f"lines-{target}", target)
    root = corpus.root
    settings = Settings()
    raw, base_sha, head_sha = git_diff(root, BASE, HEAD)
    change = parse_diff(raw, root=str(root), base=base_sha, head=head_sha)
    workspace = build_workspace(
        change, workdir / f"workspace-{target}", max_file_bytes=settings.max_file_bytes
    )
    scope = select_files(
        change, workspace, exclude=settings.exclude, max_file_bytes=settings.max_file_bytes
    )
    prepared = Target(change, scope, workspace)
    files = scope.selected
    tools = ToolRunner(settings.tools)
    say(f"{target}: {len(change.files)} files, {change.added_count} added lines; warming up")
    warm_up(prepared, settings, tools)

    say(f"{target}: agents alone and fanned out, parallelism {tools.parallelism}")
    default = time_agents(prepared, settings, tools, tool_repeat)
    say(f"{target}: tools alone")
    tool_times = time_tools(prepared, tools, tool_repeat)
    say(f"{target}: review_change end to end")
    end_to_end, piped = _review_change(change, settings, tools, tool_repeat)
    say(f"{target}: baton's own stages")
    stages, staged = time_stages(root, BASE, HEAD, settings, default.runs, repeat)

    experiments: list[AgentRound] = []
    for n in parallelism:
        say(f"{target}: agents and tools at parallelism {n}")
        runner = ToolRunner(settings.tools, parallelism=n)
        timed = time_agents(prepared, settings, runner, tool_repeat)
        experiments.append(
            AgentRound(n, timed.alone, timed.fanout, time_tools(prepared, runner, tool_repeat))
        )
    return SizeResult(
        target_lines=target,
        files_changed=len(change.files),
        files_reviewed=len(files),
        lines_added=change.added_count,
        raw_findings=sum(len(run.findings) for run in default.runs),
        findings=len(staged.review.findings),
        verdict=staged.review.gate.verdict.value,
        stages=stages,
        default=AgentRound(default.parallelism, default.alone, default.fanout, tool_times),
        end_to_end=end_to_end,
        pipeline_mismatch=mirrors_pipeline(staged.review, piped),
        experiments=experiments,
    )


def _review_change(
    change: ChangeSet, settings: Settings, tools: ToolRunner, repeat: int
) -> tuple[list[float], Review]:
    samples: list[float] = []
    review: Review | None = None
    for _ in range(repeat):
        started = time.perf_counter()
        review = asyncio.run(review_change(change, settings, progress=_quiet, tools=tools))
        samples.append(time.perf_counter() - started)
    if review is None:
        raise BenchError("--tool-repeat must be at least 1")
    return samples, review


def meta(repeat: int, tool_repeat: int) -> dict[str, Any]:
    """Where and when the numbers were taken."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": cores(),
        "load_average": list(os.getloadavg()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "repeat": repeat,
        "tool_repeat": tool_repeat,
        "versions": {name: _version(name) for name in ("baton-review", *TOOL_VERSIONS)},
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        sizes = _numbers(args.sizes)
        parallelism = _numbers(args.parallelism) if args.parallelism else []
    except ValueError:
        print(
            "bench: --sizes and --parallelism take comma-separated whole numbers", file=sys.stderr
        )
        return 2
    if args.repeat < 1 or args.tool_repeat < 1:
        print("bench: --repeat and --tool-repeat must be at least 1", file=sys.stderr)
        return 2
    info = meta(args.repeat, args.tool_repeat)
    with tempfile.TemporaryDirectory(prefix="baton-bench-") as workdir:
        try:
            results = [
                bench_size(
                    Path(workdir),
                    size,
                    repeat=args.repeat,
                    tool_repeat=args.tool_repeat,
                    parallelism=parallelism,
                    progress=not args.quiet,
                )
                for size in sizes
            ]
        except BenchError as err:
            print(f"bench: {err}", file=sys.stderr)
            return 1
    info["load_average_after"] = list(os.getloadavg())
    document = json.dumps(as_json(results, info), indent=2)
    if args.json_file is not None:
        args.json_file.write_text(document + "\n", encoding="utf-8")
    if args.json:
        print(document)
    else:
        print(f"baton benchmark, {info['date']}, {info['cores']} cores, Python {info['python']}")
        print(
            f"load average before / after: {_load(info['load_average'])} / "
            f"{_load(info['load_average_after'])}\n"
        )
        print(markdown(results, repeat=args.repeat, tool_repeat=args.tool_repeat, cores=cores()))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--sizes", default="5000,50000", help="added lines per change")
    parser.add_argument("--repeat", type=int, default=5, help="runs of baton's own stages")
    parser.add_argument("--tool-repeat", type=int, default=3, help="runs of each agent timing")
    parser.add_argument("--parallelism", default="", help="also time ToolRunner(parallelism=N)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--json-file", type=Path, help="also write the JSON to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _numbers(text: str) -> list[int]:
    numbers = [int(part) for part in text.split(",") if part.strip()]
    if not numbers or min(numbers) < 1:
        raise ValueError(text)
    return numbers


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _load(values: Sequence[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _quiet(message: str) -> None:
    del message


if __name__ == "__main__":
    raise SystemExit(main())
