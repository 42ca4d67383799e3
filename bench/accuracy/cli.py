"""`python -m bench.accuracy`: review every labelled case and benign commit, print the tables.

Each case and each benign commit becomes a temporary repository reviewed by the real
`baton review` CLI (`bench.accuracy.replay`), a few at a time (`--jobs`, default 2). The
output is Markdown: recall per category (found, found at severity, on the line), the cases
missed, and the CRITICAL and HIGH findings on benign commits. `--json FILE` writes every
result too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.accuracy import benign as benign_commits
from bench.accuracy.corpus import GROUPS, Case, CorpusError, load_cases, select
from bench.accuracy.replay import default_baton, environment, review
from bench.accuracy.score import (
    BenignResult,
    CaseResult,
    as_json,
    benign_alarms,
    failed_agents,
    score_case,
)
from bench.accuracy.tables import markdown

BENIGN = "benign"
ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("baton-review", "bandit", "detect-secrets", "ruff")
BINARIES = ("shellcheck", "hadolint", "zizmor")


def run_case(case: Case, baton: Path, workdir: Path) -> CaseResult:
    base, head = case.files
    outcome = review(base, head, baton=baton, workdir=workdir)
    return score_case(case, outcome.report, outcome.exit_code, outcome.seconds)


def run_benign(
    commit: benign_commits.BenignCommit, baton: Path, workdir: Path, mirrors: Path | None
) -> BenignResult:
    try:
        base, head = benign_commits.files(commit, mirrors)
    except (benign_commits.MirrorMissing, subprocess.CalledProcessError) as err:
        reason = str(err) if isinstance(err, benign_commits.MirrorMissing) else "commit missing"
        return _not_replayed(commit, reason)
    outcome = review(base, head, baton=baton, workdir=workdir)
    if outcome.report is None:
        return _not_replayed(commit, f"no report: {outcome.stderr.strip()[-200:]}")
    counts, alarms = benign_alarms(outcome.report)
    return BenignResult(
        id=commit.id,
        repository=commit.repository,
        commit=commit.commit,
        files=len(commit.paths),
        replayed=True,
        exit_code=outcome.exit_code,
        seconds=round(outcome.seconds, 3),
        counts=counts,
        alarms=alarms,
        failed_agents=failed_agents(outcome.report),
    )


def _not_replayed(commit: benign_commits.BenignCommit, reason: str) -> BenignResult:
    return BenignResult(
        commit.id, commit.repository, commit.commit, len(commit.paths), False, reason=reason
    )


def meta(baton: Path, jobs: int, seconds: float) -> dict[str, Any]:
    """When, on which commit of baton and with which tools the numbers were taken."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _baton_commit(baton),
        "jobs": jobs,
        "wall_seconds": round(seconds, 1),
        "versions": {name: _package(name) for name in PACKAGES}
        | {name: _binary(baton.parent / name) for name in BINARIES},
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    only = [part for item in args.only for part in item.split(",") if part]
    try:
        cases = select(load_cases(), [o for o in only if o != BENIGN], args.case)
    except CorpusError as err:
        print(f"bench.accuracy: {err}", file=sys.stderr)
        return 2
    if only == [BENIGN]:
        cases = []
    commits = (
        benign_commits.load_commits() if (not only or BENIGN in only) and not args.case else []
    )
    if not cases and not commits:
        known = sorted({c.category for c in load_cases()} | set(GROUPS) | {BENIGN})
        print(f"bench.accuracy: nothing selected; --only takes {', '.join(known)}", file=sys.stderr)
        return 2
    say = _quiet if args.quiet else _say
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="baton-accuracy-") as temp,
        ThreadPoolExecutor(args.jobs) as pool,
    ):
        workdir = Path(temp)
        case_jobs = [pool.submit(run_case, case, args.baton, workdir) for case in cases]
        benign_jobs = [
            pool.submit(run_benign, commit, args.baton, workdir, args.mirrors) for commit in commits
        ]
        case_results = [_case_done(job.result(), say) for job in case_jobs]
        benign_results = [_benign_done(job.result(), say) for job in benign_jobs]
    info = meta(args.baton, args.jobs, time.perf_counter() - started)
    if args.json is not None:
        document = as_json(case_results, benign_results, info)
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(
        f"baton accuracy, {info['date']}, baton {info['versions']['baton-review']} at "
        f"{info['commit']}, {len(case_results)} cases and {len(benign_results)} benign commits "
        f"in {info['wall_seconds']} s with {args.jobs} jobs\n"
    )
    print(markdown(case_results, benign_results), end="")
    return 0


def _case_done(result: CaseResult, say: Callable[[str], None]) -> CaseResult:
    mark = "ok" if result.at_severity else "found" if result.found else "MISSED"
    say(f"{mark:6} {result.category}/{result.id}: {result.best}")
    return result


def _benign_done(result: BenignResult, say: Callable[[str], None]) -> BenignResult:
    say(f"benign {result.id}: exit {result.exit_code}, {len(result.alarms)} CRITICAL/HIGH")
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="CATEGORY",
        help="a category, a group (python, secrets, ci) or 'benign'; repeatable or comma-separated",
    )
    parser.add_argument("--case", action="append", default=[], help="only this case id")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every result")
    parser.add_argument("--jobs", type=int, default=2, help="reviews at once (default 2)")
    parser.add_argument("--mirrors", type=Path, help="directory of bare clones (benign commits)")
    parser.add_argument("--baton", type=Path, default=default_baton(), help="the baton to run")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _quiet(line: str) -> None:
    del line


def _baton_commit(baton: Path) -> str:
    """`git describe` of the checkout the reviewed baton is imported from."""
    found = subprocess.run(
        [str(baton.with_name("python")), "-c", "import baton; print(baton.__file__)"],
        env=environment(baton),
        capture_output=True,
        text=True,
        check=False,
    )
    where = Path(found.stdout.strip()).parent if found.returncode == 0 else ROOT
    done = subprocess.run(
        ["git", "-C", str(where), "describe", "--always", "--dirty", "--abbrev=7"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def _package(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _binary(path: Path) -> str | None:
    if not path.is_file():
        return None
    done = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False)
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    versioned = [line for line in lines if line.lower().startswith("version")]
    chosen = versioned or lines
    return chosen[-1] if chosen else None
