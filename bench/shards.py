"""One job against N shards and a merge, on a change of many small files: `python -m
bench.shards --lines 5000,50000,200000 --shards 4`.

For each size in `--lines` it builds `bench.many_files` (10-line modules: 200,000 lines are
20,000 files) and, `--repeat` times, runs the same review two ways as subprocesses:

* **single**: `baton review --base main --json single.json`, one job;
* **sharded**: N `baton review --base main --shard K/N --json shards/shard-K/report.json`
  started together (concurrent local processes, as a matrix's jobs would be), then
  `baton merge shards --json merged.json`.

Every `baton` runs under a wrapper that records its own peak resident set
(`getrusage(RUSAGE_SELF)`) apart from its children's (the tools and Claude CLIs it waited
for, `RUSAGE_CHILDREN`, the largest single one). baton's own overhead is the wall time less
the phases the agents ran in (the report's `phases[].duration_s`). With `--model`, the Claude
agents run too, against the fake Messages API (`tests/fakes/anthropic_api.py`) answering
every request after `--latency` seconds with no findings (`bench.floor.arm`); sessions and
turns per job come from each report's usage, requests and bytes from the fake's ledger.

The merged review is checked against the single one: the same findings (fingerprints), the
same verdict and exit code, the same diff coverage. Results: markdown tables, or JSON with
`--json`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.floor import CLEARED_PREFIXES, arm
from bench.many_files import build_many_files
from tests.fakes.anthropic_api import FakeAnthropic

WRAPPER = """\
import atexit, resource, sys
def _usage():
    own = resource.getrusage(resource.RUSAGE_SELF)
    tools = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(sys.argv[1], "w") as out:
        out.write(f"{own.ru_maxrss} {tools} {own.ru_utime + own.ru_stime}")
atexit.register(_usage)
from baton.cli import main
sys.exit(main(sys.argv[2:]))
"""


@dataclass
class Job:
    """One `baton` process."""

    wall_s: float
    exit_code: int
    own_rss_mb: float
    tools_rss_mb: float
    own_cpu_s: float = 0.0
    phases_s: float = 0.0
    report_kb: float = 0.0
    sessions: int = 0
    turns: int = 0
    error: str | None = None

    @property
    def overhead_s(self) -> float:
        return round(self.wall_s - self.phases_s, 3)


@dataclass
class Round:
    lines: int
    files: int
    single: Job
    shards: list[Job]
    merge: Job
    same: str
    """"same", or what differs between the merged review and the single one."""
    requests: dict[str, int] = field(default_factory=dict)
    request_kb: dict[str, float] = field(default_factory=dict)


def run_baton(
    args: Sequence[str], cwd: Path, env: dict[str, str], report: Path, *, agents: bool = True
) -> Job:
    usage = report.with_suffix(".usage")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(usage), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
    )
    wall = time.perf_counter() - started
    return _job(done.returncode, wall, done.stderr, usage, report, agents=agents)


def run_together(
    commands: Sequence[tuple[list[str], Path]], cwd: Path, env: dict[str, str]
) -> list[Job]:
    """Start every command at once; each job's wall time runs from the common start."""
    started = time.perf_counter()
    running = []
    for args, report in commands:
        usage = report.with_suffix(".usage")
        process = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, str(usage), *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        running.append((process, usage, report))
    jobs = []
    for process, usage, report in running:
        stderr = process.communicate()[1]
        wall = time.perf_counter() - started
        jobs.append(_job(process.returncode, wall, stderr, usage, report))
    return jobs


def _job(
    code: int, wall: float, stderr: bytes, usage: Path, report: Path, *, agents: bool = True
) -> Job:
    """The job's figures; `agents`: it ran the agents (a merge job does not, and the phase
    durations in its report are the shards')."""
    own, tools, cpu = (float(n) for n in usage.read_text().split()) if usage.exists() else (0, 0, 0)
    job = Job(round(wall, 3), code, round(own / 1024, 1), round(tools / 1024, 1), round(cpu, 2))
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line]
        job.error = " | ".join(lines[-3:]) or f"exit {code}, no report"
        return job
    job.report_kb = round(report.stat().st_size / 1024, 1)
    if agents:
        phases = document.get("phases", [])
        job.phases_s = round(sum(p.get("duration_s", 0.0) for p in phases), 3)
    for agent in document.get("agents", []):
        used = agent.get("usage") or {}
        job.sessions += int(used.get("sessions", 0))
        job.turns += int(used.get("turns", 0))
    return job


def compare(single: Path, merged: Path) -> str:
    """ "same" when the merged review says what the single one says; else what differs."""
    try:
        one = json.loads(single.read_text(encoding="utf-8"))
        other = json.loads(merged.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return f"a report is missing ({type(err).__name__})"
    differences = []
    if _fingerprints(one) != _fingerprints(other):
        differences.append(f"findings {len(_fingerprints(one))} vs {len(_fingerprints(other))}")
    for key in ("verdict", "exit_code"):
        if one["gate"][key] != other["gate"][key]:
            differences.append(f"{key} {one['gate'][key]} vs {other['gate'][key]}")
    if _coverage(one) != _coverage(other):
        differences.append(f"coverage {_coverage(one)} vs {_coverage(other)}")
    return "; ".join(differences) or "same"


def _fingerprints(report: dict[str, Any]) -> set[str]:
    return {f["fingerprint"] for f in report["findings"]}


def _coverage(report: dict[str, Any]) -> Any:
    found = [a for a in report["agents"] if a["name"] == "coverage"]
    return (found[0]["status"], found[0]["metrics"]) if found else None


def environment(api: FakeAnthropic | None, latency: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
    env.update({"BATON_PLATFORM": "local", "BATON_RETRIES": "0", "BATON_STOP_ON": "never"})
    if api is not None:
        arm(api, latency)
        env.update(
            {
                "ANTHROPIC_API_KEY": "fake",
                "ANTHROPIC_BASE_URL": api.url,
                "BATON_API_MAX_RETRIES": "0",
            }
        )
    return env


def bench_round(
    repo: Path,
    work: Path,
    lines: int,
    files: int,
    shards: int,
    api: FakeAnthropic | None,
    latency: float,
) -> Round:
    env = environment(api, latency)
    review = ["review", "--base", "main"]
    ledger: dict[str, int] = {}
    sizes: dict[str, float] = {}

    def mark() -> int:
        return len(api.requests(path=None)) if api is not None else 0

    def note(label: str, since: int) -> None:
        if api is not None:
            made = api.requests(path=None)[since:]
            ledger[label] = len(made)
            sizes[label] = round(sum(_bytes(r) for r in made) / 1024, 1)

    start = mark()
    single = run_baton(
        [*review, "--json", str(work / "single.json")], repo, env, work / "single.json"
    )
    note("single", start)
    folder = work / "shards"
    commands = []
    for k in range(1, shards + 1):
        report = folder / f"shard-{k}" / "report.json"
        report.parent.mkdir(parents=True, exist_ok=True)
        commands.append(([*review, "--shard", f"{k}/{shards}", "--json", str(report)], report))
    start = mark()
    sharded = run_together(commands, repo, env)
    note("shards", start)
    merged_report = work / "merged.json"
    merge = run_baton(
        ["merge", str(folder), "--json", str(merged_report)],
        repo,
        env,
        merged_report,
        agents=False,
    )
    same = compare(work / "single.json", merged_report)
    return Round(lines, files, single, sharded, merge, same, ledger, sizes)


def _bytes(request: Any) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return 0


def startup(env: dict[str, str], work: Path) -> float:
    """Wall time of `baton --version` under the wrapper: the interpreter and baton's imports,
    the floor under any `baton` process."""
    return run_baton(["--version"], work, env, work / "version.json", agents=False).wall_s


def measure(
    sizes: Sequence[int], *, shards: int, repeat: int, model: bool, latency: float, say: Any
) -> tuple[list[Round], dict[int, float]]:
    rounds: list[Round] = []
    floors: dict[int, float] = {}
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="baton-shards-")))
        api = stack.enter_context(FakeAnthropic()) if model else None
        for lines in sizes:
            built = build_many_files(work / f"repo-{lines}", lines)
            say(f"{lines} lines: {built.files} files")
            floors[lines] = startup(environment(None, latency), work)
            for n in range(repeat):
                folder = work / f"run-{lines}-{n}"
                folder.mkdir()
                done = bench_round(
                    built.root, folder, built.added_lines, built.files, shards, api, latency
                )
                slowest = max(j.wall_s for j in done.shards)
                say(
                    f"{lines} lines, run {n + 1}: single {done.single.wall_s} s, slowest shard "
                    f"{slowest} s, merge {done.merge.wall_s} s, {done.same}"
                )
                rounds.append(done)
    return rounds, floors


def tables(rounds: Sequence[Round], floors: dict[int, float], shards: int) -> str:
    out = [
        f"| lines | files | single wall s | slowest of {shards} shards s | merge s "
        "| `baton --version` s | merged = single |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    by_size: dict[int, list[Round]] = {}
    for done in rounds:
        by_size.setdefault(done.lines, []).append(done)
    for lines, group in by_size.items():
        out.append(
            f"| {lines:,} | {group[0].files:,} | {_med(r.single.wall_s for r in group)} "
            f"| {_med(max(j.wall_s for j in r.shards) for r in group)} "
            f"| {_med(r.merge.wall_s for r in group)} | {floors[lines]} "
            f"| {', '.join(sorted({r.same for r in group}))} |"
        )
    out += [
        "",
        "| lines | job | own overhead s | less `--version`, per 1,000 lines ms | own CPU s "
        "| own peak RSS MB | largest child's peak RSS MB | report KB | sessions | turns "
        "| requests | request KB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lines, group in by_size.items():
        for label, pick in (
            ("single", lambda r: [r.single]),
            (f"each of {shards} shards", lambda r: r.shards),
            ("merge", lambda r: [r.merge]),
        ):
            jobs = [job for r in group for job in pick(r)]
            calls = "shards" if label != "single" else "single"
            requests = "" if label == "merge" else _med(r.requests.get(calls, 0) for r in group)
            kb = "" if label == "merge" else _med(r.request_kb.get(calls, 0.0) for r in group)
            overhead = _med(j.overhead_s for j in jobs)
            out.append(
                f"| {lines:,} | {label} | {overhead} "
                f"| {round((overhead - floors[lines]) * 1e6 / lines, 2)} "
                f"| {_med(j.own_cpu_s for j in jobs)} "
                f"| {_med(j.own_rss_mb for j in jobs)} | {_med(j.tools_rss_mb for j in jobs)} "
                f"| {_med(j.report_kb for j in jobs)} | {_med(j.sessions for j in jobs)} "
                f"| {_med(j.turns for j in jobs)} | {requests} | {kb} |"
            )
    errors = [
        f"- {r.lines} lines: {job.error}"
        for r in rounds
        for job in [r.single, *r.shards, r.merge]
        if job.error
    ]
    return "\n".join(out + (["", "Errors:", *errors] if errors else [])) + "\n"


def _med(values: Any) -> float:
    return round(statistics.median(list(values)), 3)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sizes = [int(part) for part in args.lines.split(",") if part.strip()]
    if not sizes or min(sizes) < 10 or args.repeat < 1 or not 2 <= args.shards <= 256:
        print("bench.shards: --lines ≥ 10, --repeat ≥ 1, 2 ≤ --shards ≤ 256", file=sys.stderr)
        return 2

    def say(message: str) -> None:
        if not args.quiet:
            print(f"bench: {message}", file=sys.stderr, flush=True)

    rounds, floors = measure(
        sizes,
        shards=args.shards,
        repeat=args.repeat,
        model=args.model,
        latency=args.latency,
        say=say,
    )
    if args.json:
        print(json.dumps({"floors": floors, "rounds": [asdict(r) for r in rounds]}, indent=2))
    else:
        print(tables(rounds, floors, args.shards), end="")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.shards", description=__doc__)
    parser.add_argument("--lines", default="5000,50000,200000", help="added lines per change")
    parser.add_argument("--shards", type=int, default=4, help="N of --shard K/N")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size (medians)")
    parser.add_argument("--model", action="store_true", help="run the Claude agents too")
    parser.add_argument("--latency", type=float, default=1.0, help="fake API reply delay, s")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
