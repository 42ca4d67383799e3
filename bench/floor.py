"""What the deterministic floor costs beside the model agents: `python -m bench.floor`.

baton's built-in agents (bandit, detect-secrets, ruff, diff coverage) used to run only
without a model credential; with one, the Claude agents ran instead. The "deterministic
floor" change makes the built-in agents always run. This measures the wall time of a whole
`baton review --base main --json FILE` (one subprocess, Python start-up included) with
Claude agents at a fixed model latency, for each `--baton-src` given (a directory holding a
`baton` package, put first on PYTHONPATH), so a checkout from before the change and one
after it can be compared on the same synthetic change (`bench.corpus`).

The model is `tests.fakes.anthropic_api.FakeAnthropic` on 127.0.0.1, driven by the real
`claude` CLI: every request is answered after `--latency` seconds with a valid structured
output that has no findings (no revisions for the synthesizer), so each session costs one
request. Sources run interleaved (A B A B ...) after one warm-up each, with the same
settings: ANTHROPIC_API_KEY=fake, ANTHROPIC_BASE_URL=the fake, BATON_API_MAX_RETRIES=0,
BATON_RETRIES=0, BATON_PLATFORM=local and BATON_STOP_ON (`--stop-on`, default `never`, so
that the CRITICAL findings the corpus contains do not skip the synthesizer in one source
and not the other). Reported per source: median / min / max wall seconds, exit codes, the
agents that ran (name, engine, status, duration_s, from the JSON report), the fake API's
ledger (requests and request bytes, per agent) and, pair by pair, each source's wall time
over the first source's.
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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import build_corpus
from tests.fakes.anthropic_api import FakeAnthropic, RecordedRequest
from tests.fakes.anthropic_script import Reply

SYNTHESIZER = "synthesizer"
NO_FINDINGS = {"findings": [], "summary": "Reviewed; nothing to report."}
NO_REVISIONS = {"revisions": [], "summary": "Checked; nothing to change."}
TURNS_PER_RUN = 500
"""Replies queued per agent before each run: far more sessions than any chunking needs."""
CLEARED_PREFIXES = ("BATON_", "ANTHROPIC_", "CLAUDE_CODE_", "CLAUDE_CONFIG_DIR")
"""The caller's variables of these kinds never reach the review: it gets only ours."""


@dataclass(frozen=True)
class Source:
    """One `--baton-src` directory and the revision of the checkout it belongs to."""

    label: str
    path: Path
    revision: str


@dataclass
class AgentRow:
    name: str
    engine: str
    status: str
    phase: int
    duration_s: float
    attempts: int
    reason: str | None


@dataclass
class Run:
    """One `baton review`: its wall time, outcome, agents and what it asked the fake API."""

    source: str
    repetition: int
    """0 for the warm-up, which is not counted."""
    wall_s: float
    exit_code: int
    agents: list[AgentRow]
    requests: int
    request_bytes: int
    by_agent: dict[str, tuple[int, int]]
    """X-Baton-Agent header → (requests, request bytes)."""
    outcomes: dict[str, int]
    error: str | None = None


@dataclass
class Summary:
    source: Source
    runs: list[Run] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [run.wall_s for run in self.runs]


def arm(api: FakeAnthropic, latency: float) -> None:
    """Queue enough late, finding-free replies for every agent key seen so far and any new one."""
    review = Reply.structured(NO_FINDINGS).delayed(latency)
    synthesis = Reply.structured(NO_REVISIONS).delayed(latency)
    api.script_default([review] * TURNS_PER_RUN)
    keys = {request.key for request in api.requests(path=None)} | {SYNTHESIZER}
    for key in keys:
        api.script(key, [synthesis if key == SYNTHESIZER else review] * TURNS_PER_RUN)


def review_env(src: Path, api: FakeAnthropic, stop_on: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
    env.update(
        {
            "PYTHONPATH": str(src),
            "ANTHROPIC_API_KEY": "fake",
            "ANTHROPIC_BASE_URL": api.url,
            "BATON_API_MAX_RETRIES": "0",
            "BATON_RETRIES": "0",
            "BATON_PLATFORM": "local",
            "BATON_STOP_ON": stop_on,
        }
    )
    return env


def review_once(
    source: Source,
    repetition: int,
    repo: Path,
    report: Path,
    api: FakeAnthropic,
    *,
    latency: float,
    stop_on: str,
    timeout: float,
) -> Run:
    arm(api, latency)
    first = len(api.requests(path=None))
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "baton", "review", "--base", "main", "--json", str(report)]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=repo,
            env=review_env(source.path, api, stop_on),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        code, stderr = done.returncode, done.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        code, stderr = -1, f"timed out after {timeout:.0f} s"
    wall = time.perf_counter() - started
    requests = api.requests(path=None)[first:]
    agents, error = _agents(report)
    if error is not None:
        tail = [line for line in stderr.splitlines() if line.strip()][-3:]
        error = f"{error}; stderr: {' | '.join(tail)}"
    return Run(
        source=source.label,
        repetition=repetition,
        wall_s=round(wall, 3),
        exit_code=code,
        agents=agents,
        requests=len(requests),
        request_bytes=sum(_size(r) for r in requests),
        by_agent=_by_agent(requests),
        outcomes=dict(Counter(r.outcome for r in requests)),
        error=error,
    )


def _agents(report: Path) -> tuple[list[AgentRow], str | None]:
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [], f"no JSON report ({type(err).__name__})"
    return [
        AgentRow(
            name=str(agent.get("name")),
            engine=str(agent.get("engine")),
            status=str(agent.get("status")),
            phase=int(agent.get("phase", 1)),
            duration_s=float(agent.get("duration_s", 0.0)),
            attempts=int(agent.get("attempts", 1)),
            reason=agent.get("reason"),
        )
        for agent in document.get("agents", [])
    ], None


def _size(request: RecordedRequest) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return 0


def _by_agent(requests: Sequence[RecordedRequest]) -> dict[str, tuple[int, int]]:
    totals: dict[str, tuple[int, int]] = {}
    for request in requests:
        key = request.key or "(untagged)"
        count, size = totals.get(key, (0, 0))
        totals[key] = (count + 1, size + _size(request))
    return dict(sorted(totals.items()))


def describe(path: Path, label: str) -> Source:
    """The source, with `git describe --always --dirty` of its checkout (or "?")."""
    done = subprocess.run(
        ["git", "-C", str(path), "describe", "--always", "--dirty"],
        capture_output=True,
        check=False,
    )
    revision = done.stdout.decode().strip() if done.returncode == 0 else "?"
    return Source(label, path.resolve(), revision)


def imported_from(src: Path) -> Path | None:
    """Where `import baton` finds the package with `src` on PYTHONPATH (an editable install
    that hooked the import system could otherwise win), or None if it cannot be imported."""
    done = subprocess.run(
        [sys.executable, "-c", "import baton; print(baton.__file__)"],
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        check=False,
    )
    found = done.stdout.decode().strip()
    return Path(found).resolve().parent.parent if done.returncode == 0 and found else None


def measure(
    sources: Sequence[Source],
    *,
    lines: int,
    latency: float,
    repeat: int,
    stop_on: str,
    timeout: float,
    say: Callable[[str], None],
) -> tuple[dict[str, Any], list[Summary]]:
    summaries = [Summary(source) for source in sources]
    started = datetime.now(UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="baton-floor-") as workdir:
        corpus = build_corpus(Path(workdir) / "repo", lines)
        report = Path(workdir) / "report.json"
        say(f"corpus: {corpus.modules} modules, about {corpus.estimated_added} added lines")
        with FakeAnthropic() as api:
            for repetition in range(repeat + 1):
                for summary in summaries:
                    what = "warm-up" if repetition == 0 else f"run {repetition}/{repeat}"
                    run = review_once(
                        summary.source,
                        repetition,
                        corpus.root,
                        report,
                        api,
                        latency=latency,
                        stop_on=stop_on,
                        timeout=timeout,
                    )
                    say(
                        f"{summary.source.label} {what}: {run.wall_s:.2f} s, exit "
                        f"{run.exit_code}, {run.requests} requests"
                        + (f" ({run.error})" if run.error else "")
                    )
                    if repetition > 0:
                        summary.runs.append(run)
    info = {
        "date": started,
        "cores": os.cpu_count(),
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "lines": lines,
        "modules": corpus.modules,
        "latency_s": latency,
        "repeat": repeat,
        "stop_on": stop_on,
    }
    return info, summaries


def as_json(info: dict[str, Any], summaries: Sequence[Summary]) -> dict[str, Any]:
    return {
        "meta": info,
        "sources": [
            {
                "label": s.source.label,
                "path": str(s.source.path),
                "revision": s.source.revision,
                "wall_s": _stats(s.walls),
                "exit_codes": sorted({run.exit_code for run in s.runs}),
                "runs": [asdict(run) for run in s.runs],
            }
            for s in summaries
        ],
        "ratios": [
            {
                "source": s.source.label,
                "over": summaries[0].source.label,
                "pairs": _ratios(summaries[0], s),
                "median_valid": median_ratio(summaries[0], s),
            }
            for s in summaries[1:]
        ],
    }


def _stats(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def _ratios(base: Summary, other: Summary) -> list[dict[str, Any]]:
    """`other` over `base`, repetition by repetition; a pair is valid when both wrote a report."""
    return [
        {
            "pair": index,
            "base_s": a.wall_s,
            "other_s": b.wall_s,
            "ratio": round(b.wall_s / a.wall_s, 3) if a.wall_s else None,
            "valid": a.error is None and b.error is None,
        }
        for index, (a, b) in enumerate(zip(base.runs, other.runs, strict=True), start=1)
    ]


def median_ratio(base: Summary, other: Summary) -> float | None:
    """The median ratio over the valid pairs (None when there is none)."""
    valid = [p["ratio"] for p in _ratios(base, other) if p["valid"] and p["ratio"] is not None]
    return round(statistics.median(valid), 3) if valid else None


def tables(info: dict[str, Any], summaries: Sequence[Summary]) -> str:
    out = [
        f"deterministic floor benchmark, {info['date']}, {info['cores']} cores; "
        f"{info['lines']} lines ({info['modules']} modules), model latency "
        f"{info['latency_s']} s per request, stop_on {info['stop_on']}, "
        f"{info['repeat']} runs each after a warm-up",
        "",
        "| source | revision | median s | min s | max s | exit | reports | requests / run "
        "| request KB / run |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for s in summaries:
        stats = _stats(s.walls)
        requests = _spread([run.requests for run in s.runs])
        kilobytes = statistics.median(run.request_bytes for run in s.runs) / 1000
        codes = ", ".join(str(code) for code in sorted({run.exit_code for run in s.runs}))
        reports = sum(run.error is None for run in s.runs)
        out.append(
            f"| {s.source.label}: `{s.source.path}` | {s.source.revision} | {stats['median']:.2f} "
            f"| {stats['min']:.2f} | {stats['max']:.2f} | {codes} | {reports}/{len(s.runs)} "
            f"| {requests} | {kilobytes:.1f} |"
        )
    out += [
        "",
        "| source | phase | agent | engine | status | median duration_s | requests / run "
        "| request KB / run |",
        "|---|---:|---|---|---|---:|---:|---:|",
    ]
    for s in summaries:
        out.extend(_agent_rows(s))
    if len(summaries) > 1:
        base = summaries[0]
        out += ["", "| pair | " + " | ".join(f"{s.source.label} s (exit)" for s in summaries)]
        out[-1] += " | " + " | ".join(
            f"{s.source.label}/{base.source.label}" for s in summaries[1:]
        )
        out[-1] += " |"
        out.append("|---:|" + "---:|" * (2 * len(summaries) - 1))
        for index, runs in enumerate(zip(*(s.runs for s in summaries), strict=True), start=1):
            cells = [f"{run.wall_s:.2f} ({run.exit_code})" for run in runs]
            for run in runs[1:]:
                flag = "" if run.error is None and runs[0].error is None else " (no report)"
                cells.append(f"{run.wall_s / runs[0].wall_s:.3f}{flag}")
            out.append(f"| {index} | " + " | ".join(cells) + " |")
        cells = [f"{statistics.median(s.walls):.2f}" for s in summaries]
        for s in summaries[1:]:
            ratio = median_ratio(base, s)
            cells.append("n/a (no valid pair)" if ratio is None else f"{ratio:.3f}")
        out.append("| median | " + " | ".join(cells) + " |")
    errors = [
        f"- {run.source} run {run.repetition}: {run.error}"
        for s in summaries
        for run in s.runs
        if run.error
    ]
    return "\n".join(out + (["", *errors] if errors else []))


def _agent_rows(summary: Summary) -> list[str]:
    keys: dict[tuple[int, str, str], list[AgentRow]] = {}
    for run in summary.runs:
        for agent in run.agents:
            keys.setdefault((agent.phase, agent.name, agent.engine), []).append(agent)
    rows = []
    for (phase, name, engine), seen in sorted(keys.items()):
        statuses = ", ".join(sorted({a.status for a in seen}))
        reasons = sorted({a.reason for a in seen if a.reason})
        if reasons:
            statuses += f" ({'; '.join(r[:80] for r in reasons)})"
        duration = statistics.median(a.duration_s for a in seen)
        requests, kilobytes = "-", "-"
        if engine != "builtin":  # a built-in agent asks no model; its namesake may
            ledger = [run.by_agent.get(name, (0, 0)) for run in summary.runs]
            requests = _spread([count for count, _ in ledger])
            kilobytes = f"{statistics.median(size for _, size in ledger) / 1000:.1f}"
        rows.append(
            f"| {summary.source.label} | {phase} | {name} | {engine} | {statuses} "
            f"| {duration:.2f} | {requests} | {kilobytes} |"
        )
    return rows


def _spread(values: Sequence[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.repeat < 1 or args.lines < 1 or args.latency < 0:
        print("floor: --repeat and --lines must be at least 1, --latency >= 0", file=sys.stderr)
        return 2
    missing = [p for p in args.baton_src if not (p / "baton" / "__init__.py").is_file()]
    if missing:
        print(f"floor: no baton package in {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    labels = [chr(ord("A") + i) if i < 26 else f"S{i}" for i in range(len(args.baton_src))]
    sources = [describe(path, label) for path, label in zip(args.baton_src, labels, strict=True)]
    for source in sources:
        found = imported_from(source.path)
        if found != source.path:
            print(f"floor: baton is imported from {found}, not {source.path}", file=sys.stderr)
            return 2
    info, summaries = measure(
        sources,
        lines=args.lines,
        latency=args.latency,
        repeat=args.repeat,
        stop_on=args.stop_on,
        timeout=args.timeout,
        say=_quiet if args.quiet else _say,
    )
    if args.json:
        print(json.dumps(as_json(info, summaries), indent=2))
    else:
        print(tables(info, summaries))
    return 1 if any(run.error for s in summaries for run in s.runs) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument(
        "--baton-src",
        type=Path,
        action="append",
        required=True,
        help="a directory holding a baton package (a checkout's src); repeat to compare",
    )
    parser.add_argument("--lines", type=int, default=2000, help="added lines of the change")
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per model request")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per source")
    parser.add_argument("--stop-on", default="never", help="BATON_STOP_ON for every run")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per review")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _say(message: str) -> None:
    print(f"floor: {message}", file=sys.stderr, flush=True)


def _quiet(message: str) -> None:
    del message


if __name__ == "__main__":
    raise SystemExit(main())
