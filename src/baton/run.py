"""One `baton review` run, wired together: settings → change → pipeline → outputs.

Kept apart from `cli` (flags) and `pipeline` (the flow) so that platform entry points can
reuse it with their own inputs.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baton.agents.limits import RunLimits
from baton.agents.runner import Progress
from baton.agents.specs import AgentSpec, agent_specs
from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.change.source import (
    commit_of,
    default_base,
    find_repo_root,
    git_diff,
    read_diff_file,
)
from baton.errors import BatonError, UsageError
from baton.memory.context import Recalled
from baton.pipeline import review_change
from baton.platforms.base import ChangeRequest, Platform, Published
from baton.platforms.detect import detect, platform_name
from baton.redact import redact
from baton.render.codequality import render_codequality
from baton.render.markdown import render_markdown
from baton.render.sarif import render_sarif
from baton.repo_config import RepoConfig, RepoFiles, trusted_config
from baton.report import Review
from baton.report_files import reports_folder, write_report
from baton.settings import PlatformName, Settings, load_settings
from baton.shards.plan import ShardRecord, parse_shard, shard_setting, take_share


@dataclass(frozen=True)
class Prepared:
    """Everything known before the agents run."""

    settings: Settings
    platform: Platform | None
    request: ChangeRequest | None
    change: ChangeSet
    config: RepoConfig
    notes: list[str]
    specs: dict[str, AgentSpec]
    shard: ShardRecord | None = None


def prepare(
    cli_values: Mapping[str, Any],
    *,
    config: Path | None,
    progress: Progress,
    sharded: bool = True,
) -> Prepared:
    """Settings, the change, and the repository configuration read from a trusted revision.

    Flags and the environment decide where the change comes from; the repository's config
    is then read from the change's base commit (see `repo_config`), so it is known only
    after the change is.
    """
    root = _checkout_root(cli_values)
    bootstrap = load_settings(cli_values, {}, "")
    if bootstrap.diff is not None and (bootstrap.base is not None or bootstrap.head != "HEAD"):
        raise UsageError("--diff cannot be combined with --base or --head (BATON_BASE, BATON_HEAD)")
    platform = detect(bootstrap, os.environ)
    request = platform.load() if platform is not None else None
    if platform is not None and request is not None:
        progress(f"{platform.name}: {request.event} {_describe(request)}")
        change = _change_of_request(bootstrap, root, platform, request, progress)
    else:
        change = _load_change(bootstrap, root, progress)
    fallback = None
    if platform is not None and request is not None:
        fallback = _platform_files(platform, request)
    repo, notes = trusted_config(
        root,
        change.base,
        trust_head=bootstrap.trust_head_config,
        explicit=config,
        fallback=fallback,
        head=change.head,
        changed_paths=[f.path for f in change.files],
    )
    settings = load_settings(cli_values, repo.values, repo.source)
    change, shard = _share(change, settings, progress) if sharded else (change, None)
    if settings.since is not None:
        commit_of(root, settings.since)  # an unknown ref is a usage error, models or not
    if platform_name(settings, os.environ) is not PlatformName.LOCAL:
        settings = _ci_defaults(settings, shard)
    if repo.source:
        progress(f"config from {repo.source}")
    for note in notes:
        progress(f"note: {note}")
    return Prepared(
        settings=settings,
        platform=detect(settings, os.environ) if platform is not None else None,
        request=request,
        change=change,
        config=repo,
        notes=notes,
        specs=agent_specs(settings, repo),
        shard=shard,
    )


def _share(
    change: ChangeSet, settings: Settings, progress: Progress
) -> tuple[ChangeSet, ShardRecord | None]:
    """The files this run reviews: all of them, or its share under `--shard K/N`."""
    given = shard_setting(settings.shard, os.environ)
    if given is None:
        return change, None
    index, total = parse_shard(given)
    share, record = take_share(
        change,
        index,
        total,
        fail_on=settings.fail_on.value,
        min_diff_coverage=settings.min_diff_coverage,
    )
    progress(
        f"shard {index}/{total}: {len(share.files)} of {len(change.files)} files, "
        f"{share.added_count} of {change.added_count} added lines; nothing is posted"
    )
    return share, record


def run_review(
    cli_values: Mapping[str, Any],
    *,
    config: Path | None,
    progress: Progress,
) -> int:
    """Review, print the comment to stdout, write the requested reports; return the exit code."""
    ready = prepare(cli_values, config=config, progress=progress)
    settings, platform, request, change = (
        ready.settings,
        ready.platform,
        ready.request,
        ready.change,
    )
    limits = RunLimits(settings.max_budget_usd, settings.max_concurrency)
    recalled = recall(platform, request, progress)
    review = asyncio.run(
        _until_signalled(
            review_change(
                change,
                settings,
                progress=progress,
                config=ready.config,
                specs=ready.specs,
                notes=[*ready.notes, *(recalled.warnings if recalled else ())],
                limits=limits,
                recalled=recalled,
            ),
            limits,
        )
    )
    if ready.shard is not None:
        review = review.model_copy(update={"shard": ready.shard})
        platform = None  # a shard posts nothing: `baton merge` posts the one review
    deliver(review, settings, platform, request, change, progress)
    if limits.stopped is not None:
        code = SIGNAL_EXITS[limits.stopped]
        progress(f"{limits.stopped}: what was reviewed until then is written; exit {code}")
        return code
    progress(f"verdict: {review.gate.verdict.value} (exit {review.gate.exit_code})")
    return review.gate.exit_code


def deliver(
    review: Review,
    settings: Settings,
    platform: Platform | None,
    request: ChangeRequest | None,
    change: ChangeSet,
    progress: Progress,
) -> None:
    """Print the comment, write the reports, and post the review where the job runs."""
    body = redact(render_markdown(review))
    sys.stdout.write(body if body.endswith("\n") else body + "\n")
    sys.stdout.flush()
    write_reports(review, body, settings)
    if platform is None or request is None:
        return
    try:
        published = platform.publish(review, change, request)
    except Exception as err:  # publishing never changes the verdict
        published = Published(warnings=[f"publishing failed: {type(err).__name__}: {err}"])
    progress(f"{platform.name}: summary {published.summary}, {published.inline_posted} inline")
    for warning in published.warnings:
        progress(f"warning: {warning}")


def recall(
    platform: Platform | None, request: ChangeRequest | None, progress: Progress
) -> Recalled | None:
    """What baton's earlier runs left on the pull or merge request (none outside one)."""
    if platform is None or request is None or request.number is None:
        return None
    recall = platform.recall(request)
    for warning in recall.warnings:
        progress(f"warning: {warning}")
    return Recalled.from_platform(recall, f"{platform.name}#{request.number}")


SIGNAL_EXITS = {f"interrupted by {sig.name}": 128 + sig for sig in (signal.SIGTERM, signal.SIGINT)}
"""A run stopped by a signal exits as the shell reports one: 143 for SIGTERM, 130 for SIGINT."""


async def _until_signalled(review: Coroutine[Any, Any, Review], limits: RunLimits) -> Review:
    """`review`, stopped early — agents cancelled, their tools killed, the rest recorded — on
    SIGTERM (a CI job cancelled) or SIGINT."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()

    def stop(sig: signal.Signals) -> None:
        if limits.stopped is None and main is not None:
            limits.stop(f"interrupted by {sig.name}")
            main.cancel()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop, sig)
    try:
        return await review
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


CI_REPORTS = Path(".baton")


def _ci_defaults(settings: Settings, shard: ShardRecord | None) -> Settings:
    """In CI the JSON, SARIF and Code Quality reports are always written (outputs, artifacts).

    They go to `.baton/` in the workspace (the one place later steps share), a folder that
    ignores itself so that no later `git add -A` picks the reports up, and that must be a real
    folder, not a link the change committed. A shard's go to `.baton/shard-K/`, so the
    artefacts of N jobs unpacked into one merge job do not overwrite each other.
    """
    if settings.report_json and settings.report_sarif and settings.report_codequality:
        return settings
    folder = reports_folder(CI_REPORTS.absolute())
    if shard is not None:
        folder = reports_folder(folder / f"shard-{shard.index}")
    return settings.model_copy(
        update={
            "report_json": settings.report_json or folder / "report.json",
            "report_sarif": settings.report_sarif or folder / "report.sarif",
            "report_codequality": settings.report_codequality or folder / "codequality.json",
        }
    )


def _describe(request: ChangeRequest) -> str:
    number = f"#{request.number}" if request.number is not None else "(no pull request)"
    fork = ", from a fork" if request.is_fork else ""
    draft = ", draft" if request.draft else ""
    return f"{number}{fork}{draft}"


def _change_of_request(
    settings: Settings, root: Path, platform: Platform, request: ChangeRequest, progress: Progress
) -> ChangeSet:
    """The pull request's diff from local git (merge-base of base and head), else the API."""
    if request.base_sha is None or request.head_sha is None:
        return _load_change(settings, root, progress)
    try:
        raw, base, head = git_diff(root, request.base_sha, request.head_sha)
    except BatonError as err:
        progress(f"no local history for the diff ({err}); asking {platform.name} instead")
        raw, base, head = platform.fetch_diff(request), request.base_sha, request.head_sha
    change = parse_diff(raw, root=str(root), base=base, head=head)
    progress(f"reviewing {len(change.files)} files, {change.added_count} added lines")
    return change


def write_reports(review: Review, body: str, settings: Settings) -> None:
    outputs: list[tuple[Path | None, Callable[[], str]]] = [
        (settings.report_json, lambda: review.model_dump_json(indent=2)),
        (settings.report_sarif, lambda: json.dumps(render_sarif(review), indent=2)),
        (settings.report_codequality, lambda: json.dumps(render_codequality(review), indent=2)),
        (settings.report_markdown, lambda: body),
    ]
    for path, render in outputs:
        if path is None:
            continue
        text = redact(render())
        write_report(path, text if text.endswith("\n") else text + "\n")


def _checkout_root(cli_values: Mapping[str, Any]) -> Path:
    given = cli_values.get("repo") or os.environ.get("BATON_REPO")
    start = Path(given) if given else Path.cwd()
    if not start.is_dir():
        raise UsageError(f"repository directory not found: {start}")
    if cli_values.get("diff") or os.environ.get("BATON_DIFF"):
        try:  # a diff's paths are relative to the top of the repository, wherever it is run
            return find_repo_root(start.resolve())
        except UsageError:
            return start.resolve()
    return find_repo_root(start)


def _platform_files(platform: Platform, request: ChangeRequest) -> Callable[[str], RepoFiles]:
    def files(ref: str) -> RepoFiles:
        return RepoFiles(
            ref,
            lambda path: platform.read_file(request, path, ref),
            lambda folder: platform.list_files(request, folder, ref),
        )

    return files


def _load_change(settings: Settings, root: Path, progress: Progress) -> ChangeSet:
    if settings.diff is not None:
        raw = read_diff_file(settings.diff, sys.stdin.buffer)
        change = parse_diff(raw, root=str(root))
        if not change.files:
            where = "standard input" if settings.diff == "-" else settings.diff
            raise UsageError(f"nothing to review: the diff from {where} is empty")
        progress(f"diff from {settings.diff}: {len(change.files)} files")
        return change
    base_ref = settings.base or default_base(root)
    raw, base, head = git_diff(root, base_ref, settings.head)
    change = parse_diff(raw, root=str(root), base=base, head=head)
    progress(
        f"reviewing {base[:12]}..{head[:12]} (merge-base with {base_ref}): "
        f"{len(change.files)} files, {change.added_count} added lines"
    )
    return change
