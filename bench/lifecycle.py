"""What a pull request's life costs in model input: `python -m bench.lifecycle`.

A scripted life on the fake GitHub and the fake Messages API (real `baton review` as a
GitHub Actions job, real `claude` CLI): a pull request of about `--lines` added lines
(`bench.corpus`), then four pushes of about `--push-lines` changed lines each, the third of
them after a rebase onto a `main` that moved on. Each review is run twice over the same life:
with the review's memory (`incremental = "auto"`, the default) and without it
(`BATON_INCREMENTAL=off`: five full reviews). Every model reply comes after `--latency`
seconds and has no findings.

Reported per review and mode: the `git diff` bytes of the pull request, the model input
bytes (request bodies on the fake API's ledger), the part of them the prompt cache would not
serve and its ratio to the diff, requests,
sessions (requests that open one: no assistant turn yet), the peak RSS of baton's whole
process tree (sampled from /proc every 50 ms) and the wall time; then the life's total model
input with memory over the total without it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.corpus import GIT_ENV, build_corpus
from tests.fakes.anthropic_api import FakeAnthropic, RecordedRequest
from tests.fakes.anthropic_script import Reply
from tests.fakes.github_api import FakeGitHub
from tests.fakes.github_job import PullRequestJob

NO_FINDINGS = {"findings": [], "summary": "Reviewed; nothing to report."}
CLEARED = ("BATON_", "ANTHROPIC_", "CLAUDE_CODE_", "CLAUDE_CONFIG_DIR", "GITHUB_", "GITLAB_")
STEPS = ("open", "push 1", "push 2", "rebase + push 3", "push 4")


@dataclass
class Step:
    mode: str
    step: str
    diff_bytes: int
    model_bytes: int
    uncached_bytes: int
    requests: int
    sessions: int
    peak_rss_mb: float
    wall_s: float
    exit_code: int

    @property
    def ratio(self) -> float:
        """Model input the prompt cache would not serve, over the diff."""
        return self.uncached_bytes / max(self.diff_bytes, 1)


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def push(root: Path, number: int, lines: int) -> None:
    """Change about `lines` lines of existing modules (a few modules, 20 lines each)."""
    modules = sorted((root / "src" / "app").rglob("mod_*.py"))
    for offset in range(max(lines // 20, 1)):
        path = modules[(number * 7 + offset * 3) % len(modules)]
        text = path.read_text().splitlines(keepends=True)
        start = (number * 11) % max(len(text) - 20, 1)
        for i in range(start, min(start + 20, len(text))):
            if text[i].strip() and not text[i].lstrip().startswith(("def ", "class ", "@")):
                text[i] = text[i].rstrip("\n") + f"  # push {number}\n"
        path.write_text("".join(text))
    git(root, "commit", "-qam", f"push {number}")


def rebase(root: Path) -> None:
    """`main` moves on (a file the pull request does not touch) and the branch is rebased."""
    git(root, "checkout", "-q", "main")
    (root / "CHANGELOG.md").write_text("Released.\n")
    git(root, "add", "CHANGELOG.md")
    git(root, "commit", "-qm", "main moves on")
    git(root, "checkout", "-q", "feature")
    git(root, "rebase", "-q", "main")


def peak_rss(pid: int, done: threading.Event, found: list[int]) -> None:
    """Sample the RSS of `pid` and all its descendants until `done`; the peak goes in `found`."""
    peak = 0
    while not done.is_set():
        peak = max(peak, _tree_rss(pid))
        time.sleep(0.05)
    found.append(peak)


def _tree_rss(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total * 1024


def review(job: PullRequestJob, api: FakeAnthropic, mode: str, step: str, latency: float) -> Step:
    api.script_default([Reply.structured(NO_FINDINGS).delayed(latency)] * 500)
    for key in {r.key for r in api.requests(path=None)}:
        api.script(key, [Reply.structured(NO_FINDINGS).delayed(latency)] * 500)
    first = len(api.requests(path=None))
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    env |= job.env() | api.env()
    env |= {"BATON_API_MAX_RETRIES": "0", "BATON_RETRIES": "0", "BATON_STOP_ON": "never"}
    if mode == "full":
        env["BATON_INCREMENTAL"] = "off"
    base = git(job.checkout, "merge-base", "main", "HEAD").strip()
    diff = git(job.checkout, "diff", "--find-renames", base, "HEAD")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "baton", "review"],
        cwd=job.checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    finished, peaks = threading.Event(), list[int]()
    sampler = threading.Thread(target=peak_rss, args=(process.pid, finished, peaks))
    sampler.start()
    _, stderr = process.communicate(timeout=1800)
    finished.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        print(f"  {mode} {step}: exit {process.returncode}: {' | '.join(tail)}", file=sys.stderr)
    sent = api.requests(path=None)[first:]
    return Step(
        mode=mode,
        step=step,
        diff_bytes=len(diff.encode()),
        model_bytes=sum(r.size for r in sent),
        uncached_bytes=sum(r.size - r.cache_read_bytes for r in sent),
        requests=len(sent),
        sessions=sum(1 for r in sent if _opens_session(r)),
        peak_rss_mb=round(peaks[0] / 2**20, 1) if peaks else 0.0,
        wall_s=round(wall, 2),
        exit_code=process.returncode,
    )


def life(mode: str, lines: int, push_lines: int, latency: float, folder: Path) -> list[Step]:
    root = folder / mode
    build_corpus(root, lines)
    steps = []
    with FakeGitHub() as github, FakeAnthropic() as api:
        job = PullRequestJob(github, root, folder)
        for number, step in enumerate(STEPS):
            if step.startswith("rebase"):
                rebase(root)
            if number:
                push(root, number, push_lines)
            steps.append(review(job, api, mode, step, latency))
            print(f"  {mode:<11} {step:<16} {_row(steps[-1])}", file=sys.stderr)
    return steps


def _opens_session(request: RecordedRequest) -> bool:
    body: Any = request.body
    messages = body.get("messages") if isinstance(body, dict) else None
    return isinstance(messages, list) and not any(
        isinstance(m, dict) and m.get("role") == "assistant" for m in messages
    )


def _median(steps: list[Step]) -> Step:
    """The step's median of every number over the repetitions."""
    first = steps[0]
    values = {
        name: type(getattr(first, name))(statistics.median(getattr(s, name) for s in steps))
        for name in ("diff_bytes", "model_bytes", "uncached_bytes", "requests", "sessions")
    }
    return Step(
        mode=first.mode,
        step=first.step,
        peak_rss_mb=statistics.median(s.peak_rss_mb for s in steps),
        wall_s=statistics.median(s.wall_s for s in steps),
        exit_code=max(s.exit_code for s in steps),
        **values,
    )


def _row(step: Step) -> str:
    return (
        f"| {step.diff_bytes / 1024:,.0f} KB | {step.model_bytes / 1024:,.0f} KB | "
        f"{step.uncached_bytes / 1024:,.0f} KB | {step.ratio:.2f} | "
        f"{step.requests} | {step.sessions} | {step.peak_rss_mb:,.0f} MB | "
        f"{step.wall_s:.1f} s | {step.exit_code} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--push-lines", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json-file", type=Path)
    args = parser.parse_args(argv)
    runs: list[list[Step]] = []
    with tempfile.TemporaryDirectory(prefix="baton-life-") as tmp:
        for repetition in range(args.repeat):
            for mode in ("memory", "full"):
                folder = Path(tmp) / f"{repetition}"
                folder.mkdir(exist_ok=True)
                runs.append(life(mode, args.lines, args.push_lines, args.latency, folder))
    print(
        "| mode | review | diff | model input | not cached | not cached / diff | requests "
        "| sessions | peak RSS | wall | exit |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for mode in ("memory", "full"):
        for number, name in enumerate(STEPS):
            step = _median([steps[number] for steps in runs if steps[0].mode == mode])
            print(f"| {mode} | {name} {_row(step)}")
    for kind in ("model_bytes", "uncached_bytes"):
        totals: dict[str, list[int]] = {"memory": [], "full": []}
        for steps in runs:
            totals[steps[0].mode].append(sum(getattr(s, kind) for s in steps))
        memory, full = statistics.median(totals["memory"]), statistics.median(totals["full"])
        print(
            f"life total {kind}: memory {memory / 1024:,.0f} KB, five full reviews "
            f"{full / 1024:,.0f} KB: {memory / full:.0%} (medians of {args.repeat})"
        )
    if args.json_file is not None:
        payload = [[asdict(step) for step in steps] for steps in runs]
        args.json_file.write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
