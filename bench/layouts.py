"""How the layout of a session's prompt decides what the model reads anew: `python -m
bench.layouts`.

Three reviewer sessions (security, quality, coverage) per chunk of a synthetic change
(`bench.corpus`, cut as baton cuts it), each one real `claude` process started by baton's
own launcher (`baton.agents.claude.launch.run_session`), against the fake Messages API on
127.0.0.1 whose ledger says what the API's prompt cache would serve
(`tests/fakes/anthropic_cache.py`). Every answer begins `--latency` seconds after its
request. The layouts:

* `role-first` — as baton sent it before: the role's prompt as the system prompt, then a
  first message of the task followed by the diff; all sessions at once.
* `diff-first` — baton's shared system prompt, then a first message of the chunk's diff
  block (a cache breakpoint at its end) followed by the role's instructions; all at once.
* `diff-first-staggered` — the same, with the sessions of a chunk after the first holding
  their first message until its response begins (`baton.agents.claude.warmup`).
* `diff-file` — the chunk written to a file in the checkout; the first message gives the
  role and the file's path, and the model reads it with the Read tool (in pages of
  `PAGE_LINES` lines, all in one turn) before it answers; all at once.

Reported per layout: requests, sessions, raw request bytes, the bytes the cache would serve
and the rest ("uncached"), each over the bytes of `git diff main...feature`; wall seconds;
and, from the first request of the run, what every request carries besides the prompt
(tools, system prompt, the CLI's environment message, other fields).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from baton.agents.claude import warmup
from baton.agents.claude.chunks import Chunk, diff_block, split_into_chunks
from baton.agents.claude.launch import run_session
from baton.agents.claude.protocol import SessionJob, output_schema
from baton.agents.claude.roles import ROLES, session_prompt
from baton.change.parse import parse_diff
from baton.change.source import git_diff
from baton.settings import Settings
from bench.corpus import build_corpus
from tests.fakes.anthropic_api import FakeAnthropic, RecordedRequest
from tests.fakes.anthropic_cache import PromptCache
from tests.fakes.anthropic_script import Reply, ToolUse, Turn

LAYOUTS = ("role-first", "diff-first", "diff-first-staggered", "diff-file")
PAGE_LINES = 1000
NO_FINDINGS = {"findings": [], "summary": "Reviewed; nothing to report."}


@dataclass
class Result:
    layout: str
    lines: int
    repetition: int
    sessions: int
    requests: int
    raw_bytes: int
    cache_read_bytes: int
    wall_s: float
    failed: int

    @property
    def uncached_bytes(self) -> int:
        return self.raw_bytes - self.cache_read_bytes


def jobs(layout: str, chunks: Sequence[Chunk], repo: Path, files: Path) -> list[SessionJob]:
    made = []
    for index, chunk in enumerate(chunks):
        for role in ROLES.values():
            common: dict[str, Any] = {
                "agent": f"{role.name}-{index + 1}",  # one script queue per session
                "cwd": str(repo),
                "tools": list(role.tools),
                "max_turns": 10,
                "output_schema": output_schema(),
            }
            task = f"Review this change as the {role.name} reviewer."
            if layout == "role-first":
                text = "\n".join([task, "<diff>", chunk.text, "</diff>", "Return your findings."])
                made.append(SessionJob(system_prompt=role.instructions, prompt=text, **common))
            elif layout == "diff-file":
                path = files / f"chunk-{index + 1}.diff"
                path.write_text(chunk.text, encoding="utf-8")
                text = f"<role>\n{role.instructions}\n</role>\n{task} Its diff is in {path}."
                made.append(SessionJob(system_prompt=session_prompt(), prompt=text, **common))
            else:
                role_text = f"<role>\n{role.instructions}\n</role>\n{task}"
                shared = diff_block(chunk, index, len(chunks))
                made.append(
                    SessionJob(
                        system_prompt=session_prompt(), shared=shared, prompt=role_text, **common
                    )
                )
    return made


def script(api: FakeAnthropic, layout: str, made: Sequence[SessionJob], latency: float) -> None:
    """Each session's turns, keyed by agent: an answer, after reading the file if needed."""
    answer = Reply.structured(NO_FINDINGS).delayed(latency)
    turns: dict[str, list[Turn]] = {}
    for job in made:
        queue = turns.setdefault(job.agent, [])
        if layout == "diff-file":
            path = job.prompt.rsplit("Its diff is in ", 1)[1].removesuffix(".")
            count = len(Path(path).read_text(encoding="utf-8").splitlines())
            pages = [
                ToolUse("Read", {"file_path": path, "offset": start + 1, "limit": PAGE_LINES})
                for start in range(0, count, PAGE_LINES)
            ]
            queue.append(Reply.of(*pages).delayed(latency))
        queue.append(answer)
    for key, queue in turns.items():
        api.script(key, queue)


async def run_layout(
    layout: str, made: Sequence[SessionJob], settings: Settings
) -> tuple[int, float]:
    """(failed sessions, wall seconds) of running `made` at most 4 at once."""
    warmup.WAIT_S = 60.0 if layout == "diff-first-staggered" else 0.0
    slots = asyncio.Semaphore(4)

    async def one(job: SessionJob) -> bool:
        async with slots:
            outcome = await run_session(job, settings)
        return outcome.structured_output is None

    started = time.perf_counter()
    failed = await asyncio.gather(*(one(job) for job in made))
    return sum(failed), time.perf_counter() - started


def measure(
    sizes: Sequence[int], *, latency: float, repeat: int, say: Callable[[str], None]
) -> tuple[list[Result], dict[int, int], dict[str, int]]:
    results: list[Result] = []
    diffs: dict[int, int] = {}
    overhead: dict[str, int] = {}
    settings = Settings(api_max_retries=0, retries=0)
    with tempfile.TemporaryDirectory(prefix="baton-layouts-") as workdir, FakeAnthropic() as api:
        os.environ.update(api.env())
        for lines in sizes:
            corpus = build_corpus(Path(workdir) / f"repo-{lines}", lines)
            diffs[lines] = len(_git(corpus.root, "diff", "main...feature"))
            raw, _, _ = git_diff(corpus.root, "main")
            files = parse_diff(raw, root=str(corpus.root)).files
            chunks, _ = split_into_chunks(files, settings.chunk_tokens)
            for repetition in range(1, repeat + 1):
                for layout in LAYOUTS:
                    made = jobs(layout, chunks, corpus.root, corpus.root)
                    api.cache = PromptCache()
                    script(api, layout, made, latency)
                    first = len(api.requests())
                    failed, wall = asyncio.run(run_layout(layout, made, settings))
                    sent = api.requests()[first:]
                    overhead = overhead or fixed_overhead(sent[0])
                    result = Result(
                        layout=layout,
                        lines=lines,
                        repetition=repetition,
                        sessions=len(made),
                        requests=len(sent),
                        raw_bytes=sum(r.size for r in sent),
                        cache_read_bytes=sum(r.cache_read_bytes for r in sent),
                        wall_s=round(wall, 3),
                        failed=failed,
                    )
                    results.append(result)
                    say(
                        f"{lines} {layout} run {repetition}: {result.requests} requests, "
                        f"{result.raw_bytes / 1000:.1f} KB raw, "
                        f"{result.uncached_bytes / 1000:.1f} KB uncached, {wall:.2f} s"
                        + (f", {failed} sessions failed" if failed else "")
                    )
    return results, diffs, overhead


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


def fixed_overhead(request: RecordedRequest) -> dict[str, int]:
    """Bytes of a request's parts besides the first user message."""
    body = request.body
    messages = request.messages
    return {
        "tools": len(json.dumps(body.get("tools", []), separators=(",", ":"))),
        "tool names": len(request.tool_names),
        "system": len(json.dumps(body.get("system", []), separators=(",", ":"))),
        "environment message": len(json.dumps(messages[1:], separators=(",", ":"))),
        "other fields": len(
            json.dumps(
                {k: v for k, v in body.items() if k not in ("tools", "system", "messages")},
                separators=(",", ":"),
            )
        ),
        "body": request.size,
    }


def tables(results: Sequence[Result], diffs: dict[int, int], overhead: dict[str, int]) -> str:
    out = [
        "| lines | layout | sessions | requests | raw KB (x diff) | cache reads KB "
        "| uncached KB (x diff) | wall s | failed |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lines, diff in diffs.items():
        for layout in LAYOUTS:
            runs = [r for r in results if r.lines == lines and r.layout == layout]
            if not runs:
                continue
            raw = statistics.median(r.raw_bytes for r in runs)
            read = statistics.median(r.cache_read_bytes for r in runs)
            uncached = statistics.median(r.uncached_bytes for r in runs)
            out.append(
                f"| {lines} | {layout} | {runs[0].sessions} "
                f"| {statistics.median(r.requests for r in runs):g} "
                f"| {raw / 1000:.1f} ({raw / diff:.2f}) | {read / 1000:.1f} "
                f"| {uncached / 1000:.1f} ({uncached / diff:.2f}) "
                f"| {statistics.median(r.wall_s for r in runs):.2f} "
                f"| {max(r.failed for r in runs)} |"
            )
    parts = ", ".join(f"{name} {value}" for name, value in overhead.items())
    return "\n".join([*out, "", f"a first request's parts, bytes: {parts}"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.layouts", description=__doc__)
    parser.add_argument("--lines", default="400,5000", help="sizes of the synthetic changes")
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per model request")
    parser.add_argument("--repeat", type=int, default=1, help="runs per layout and size")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.lines.split(",") if part.strip()]
    results, diffs, overhead = measure(sizes, latency=args.latency, repeat=args.repeat, say=_say)
    if args.json:
        document = {"diff_bytes": diffs, "overhead": overhead, "runs": [asdict(r) for r in results]}
        print(json.dumps(document, indent=2))
    else:
        print(tables(results, diffs, overhead))
    return 1 if any(r.failed for r in results) else 0


def _say(message: str) -> None:
    print(f"layouts: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
