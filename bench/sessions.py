"""What a review asks of the model and of the machine, per Claude session: `python -m
bench.sessions`.

For each `--baton-src` (a directory holding a `baton` package, put first on PYTHONPATH: a
checkout from before a change, and `src`) and each size in `--lines` (the synthetic change
of `bench.corpus`), it runs `baton review --base main --json FILE` as a subprocess against
the fake Messages API (`tests/fakes/anthropic_api.py`) on 127.0.0.1, reached by the real
`claude` CLI; every request is answered after `--latency` seconds with a valid structured
output without findings (`bench.floor.arm`), so each session is one request. Sources run
interleaved (A B A B …) after one warm-up each, the fake's prompt cache emptied before every
review. Reported per size and source, medians over `--repeat` runs:

* model input bytes per review: the raw request bytes, and the bytes the API's prompt cache
  would not serve (the fake's ledger, `tests/fakes/anthropic_cache.py`), each over the
  bytes of `git diff main...feature`; and the target, 1.5 x the diff + 16 KB per session;
* requests, and sessions (the JSON report's usage);
* per session (`bench.procs`): processes, peak resident set (the sum of the group's
  `VmHWM`), CPU seconds;
* the review's wall time.
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
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import build_corpus
from bench.floor import Source, arm, describe, imported_from, review_env
from bench.procs import SessionSampler
from tests.fakes.anthropic_api import FakeAnthropic, RecordedRequest
from tests.fakes.anthropic_cache import PromptCache

TARGET_FACTOR = 1.5
TARGET_PER_SESSION = 16_000


@dataclass
class Run:
    source: str
    lines: int
    repetition: int
    wall_s: float
    exit_code: int
    requests: int
    raw_bytes: int
    cache_read_bytes: int
    sessions: int
    """Sessions the JSON report counts."""
    by_agent: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """X-Baton-Agent → (requests, raw bytes, uncached bytes)."""
    sampled: list[tuple[int, int, float, float]] = field(default_factory=list)
    """Per session seen in /proc: (lasting processes, short-lived ones, peak RSS MB, CPU s)."""
    error: str | None = None

    @property
    def uncached_bytes(self) -> int:
        return self.raw_bytes - self.cache_read_bytes


@dataclass
class Size:
    lines: int
    added: int
    diff_bytes: int
    runs: dict[str, list[Run]] = field(default_factory=dict)


def review_once(
    source: Source,
    repetition: int,
    size: Size,
    repo: Path,
    report: Path,
    api: FakeAnthropic,
    *,
    latency: float,
    timeout: float,
) -> Run:
    arm(api, latency)
    api.cache = PromptCache()
    first = len(api.requests())
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "baton", "review", "--base", "main", "--json", str(report)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=repo,
        env=review_env(source.path, api, "never"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with SessionSampler(process.pid) as sampler:
        try:
            _, stderr = process.communicate(timeout=timeout)
            code, error = process.returncode, None
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
            code, error = -1, f"timed out after {timeout:.0f} s"
    wall = time.perf_counter() - started
    requests = api.requests()[first:]
    sessions, failed = _sessions(report)
    if error is None and failed:
        tail = [ln for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()][-2:]
        error = f"{failed}; stderr: {' | '.join(tail)}"
    return Run(
        source=source.label,
        lines=size.lines,
        repetition=repetition,
        wall_s=round(wall, 3),
        exit_code=code,
        requests=len(requests),
        raw_bytes=sum(r.size for r in requests),
        cache_read_bytes=sum(r.cache_read_bytes for r in requests),
        sessions=sessions,
        by_agent=_by_agent(requests),
        sampled=[
            (len(s.lasting), s.short_lived, round(s.peak_rss_mb, 1), round(s.cpu_s, 2))
            for s in sampler.sessions.values()
        ],
        error=error,
    )


def _by_agent(requests: Sequence[RecordedRequest]) -> dict[str, tuple[int, int, int]]:
    totals: dict[str, tuple[int, int, int]] = {}
    for request in requests:
        count, raw, uncached = totals.get(request.key or "(untagged)", (0, 0, 0))
        totals[request.key or "(untagged)"] = (
            count + 1,
            raw + request.size,
            uncached + request.size - request.cache_read_bytes,
        )
    return dict(sorted(totals.items()))


def _sessions(report: Path) -> tuple[int, str | None]:
    """Sessions counted by the report, and what went wrong (no report, a failed agent)."""
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return 0, f"no JSON report ({type(err).__name__})"
    agents = document.get("agents", [])
    failed = [f"{a['name']}: {a.get('reason')}" for a in agents if a.get("status") == "failed"]
    sessions = sum(int((a.get("usage") or {}).get("sessions", 0)) for a in agents)
    return sessions, "; ".join(failed)[:300] or None


def measure(
    sources: Sequence[Source],
    *,
    sizes: Sequence[int],
    latency: float,
    repeat: int,
    timeout: float,
    say: Callable[[str], None],
) -> tuple[dict[str, Any], list[Size]]:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    results: list[Size] = []
    with tempfile.TemporaryDirectory(prefix="baton-sessions-") as workdir, FakeAnthropic() as api:
        for lines in sizes:
            corpus = build_corpus(Path(workdir) / f"repo-{lines}", lines)
            diff = _git(corpus.root, "diff", "main...feature")
            stat = _git(corpus.root, "diff", "--numstat", "main...feature").decode()
            added = sum(int(row.split()[0]) for row in stat.splitlines() if row[:1].isdigit())
            size = Size(lines, added, len(diff), {s.label: [] for s in sources})
            say(f"{lines}: {added} added lines, git diff {len(diff)} bytes")
            report = Path(workdir) / f"report-{lines}.json"
            for repetition in range(repeat + 1):
                for source in sources:
                    run = review_once(
                        source,
                        repetition,
                        size,
                        corpus.root,
                        report,
                        api,
                        latency=latency,
                        timeout=timeout,
                    )
                    what = "warm-up" if repetition == 0 else f"run {repetition}/{repeat}"
                    say(
                        f"{lines} {source.label} {what}: {run.wall_s:.2f} s, exit {run.exit_code}"
                        f", {run.requests} requests, {run.raw_bytes / 1000:.1f} KB raw, "
                        f"{run.uncached_bytes / 1000:.1f} KB uncached, {len(run.sampled)} "
                        "sessions seen" + (f" ({run.error})" if run.error else "")
                    )
                    if repetition > 0:
                        size.runs[source.label].append(run)
            results.append(size)
    info = {
        "date": started,
        "cores": os.cpu_count(),
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "latency_s": latency,
        "repeat": repeat,
        "sources": [asdict(s) | {"path": str(s.path)} for s in sources],
    }
    return info, results


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


def tables(info: dict[str, Any], results: Sequence[Size]) -> str:
    out = [
        f"sessions benchmark, {info['date']}, {info['cores']} cores, model latency "
        f"{info['latency_s']} s per request, medians of {info['repeat']} runs after a warm-up "
        f"(load average after: {', '.join(map(str, info['load_average_after']))})",
        "",
        "| lines | source | git diff KB | requests | sessions | raw KB (x diff) "
        "| uncached KB (x diff) | target KB | processes / session (+ short-lived) "
        "| peak RSS MB / session "
        "(median, max) | CPU s / session | wall s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in results:
        for label, runs in size.runs.items():
            out.append(_row(size, label, runs))
    out += [
        "",
        "| lines | source | agent | requests | raw KB | uncached KB |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for size in results:
        for label, runs in size.runs.items():
            agents = sorted({name for run in runs for name in run.by_agent})
            for name in agents:
                seen = [run.by_agent.get(name, (0, 0, 0)) for run in runs]
                out.append(
                    f"| {size.added} | {label} | {name} "
                    f"| {statistics.median(s[0] for s in seen):g} "
                    f"| {statistics.median(s[1] for s in seen) / 1000:.1f} "
                    f"| {statistics.median(s[2] for s in seen) / 1000:.1f} |"
                )
    errors = [
        f"- {size.lines} lines, {run.source} run {run.repetition}: {run.error}"
        for size in results
        for runs in size.runs.values()
        for run in runs
        if run.error
    ]
    return "\n".join(out + (["", *errors] if errors else []))


def _row(size: Size, label: str, runs: Sequence[Run]) -> str:
    def med(values: Sequence[float]) -> float:
        return statistics.median(values) if values else 0.0

    diff = size.diff_bytes
    raw = med([r.raw_bytes for r in runs])
    uncached = med([r.uncached_bytes for r in runs])
    sessions = med([r.sessions for r in runs])
    target = TARGET_FACTOR * diff + TARGET_PER_SESSION * sessions
    sampled = [s for r in runs for s in r.sampled]
    lasting = sorted({s[0] for s in sampled})
    short = med([s[1] for s in sampled])
    peaks = [s[2] for s in sampled]
    return (
        f"| {size.added} | {label} | {diff / 1000:.1f} | {med([r.requests for r in runs]):g} "
        f"| {sessions:g} | {raw / 1000:.1f} ({raw / diff:.2f}) "
        f"| {uncached / 1000:.1f} ({uncached / diff:.2f}) | {target / 1000:.1f} "
        f"| {'-'.join(map(str, lasting)) or '?'} (+{short:g}) "
        f"| {med(peaks):.0f}, {max(peaks, default=0):.0f} "
        f"| {med([s[3] for s in sampled]):.2f} | {med([r.wall_s for r in runs]):.2f} |"
    )


def as_json(info: dict[str, Any], results: Sequence[Size]) -> dict[str, Any]:
    return {
        "meta": info,
        "sizes": [
            {
                "lines": size.lines,
                "added": size.added,
                "diff_bytes": size.diff_bytes,
                "runs": {k: [asdict(r) for r in v] for k, v in size.runs.items()},
            }
            for size in results
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sizes = [int(part) for part in args.lines.split(",") if part.strip()]
    if args.repeat < 1 or not sizes or min(sizes) < 1 or args.latency < 0:
        print("sessions: --repeat and --lines must be at least 1, --latency >= 0", file=sys.stderr)
        return 2
    labels = [chr(ord("A") + i) for i in range(len(args.baton_src))]
    sources = [describe(path, label) for path, label in zip(args.baton_src, labels, strict=True)]
    for source in sources:
        found = imported_from(source.path)
        if found != source.path:
            print(f"sessions: baton is imported from {found}, not {source.path}", file=sys.stderr)
            return 2
    info, results = measure(
        sources,
        sizes=sizes,
        latency=args.latency,
        repeat=args.repeat,
        timeout=args.timeout,
        say=(lambda _: None) if args.quiet else _say,
    )
    document = as_json(info, results)
    if args.json_file is not None:
        args.json_file.write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(json.dumps(document, indent=2) if args.json else tables(info, results))
    failed = any(run.error for size in results for runs in size.runs.values() for run in runs)
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.sessions", description=__doc__)
    parser.add_argument(
        "--baton-src",
        type=Path,
        action="append",
        required=True,
        help="a directory holding a baton package (a checkout's src); repeat to compare",
    )
    parser.add_argument("--lines", default="400,5000", help="sizes of the synthetic changes")
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per model request")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per source and size")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per review")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--json-file", type=Path, help="also write the JSON to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _say(message: str) -> None:
    print(f"sessions: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
