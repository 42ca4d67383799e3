"""One `baton review` run, wired together: settings → change → pipeline → outputs.

Kept apart from `cli` (flags) and `pipeline` (the flow) so that platform entry points can
reuse it with their own inputs.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from baton.agents.runner import Progress
from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.change.source import default_base, dirty_paths, find_repo_root, git_diff, read_diff_file
from baton.errors import UsageError
from baton.pipeline import review_change
from baton.render.codequality import render_codequality
from baton.render.markdown import render_markdown
from baton.render.sarif import render_sarif
from baton.report import Review
from baton.settings import Settings, load_settings, read_config_file


def run_review(
    cli_values: Mapping[str, Any],
    *,
    config: Path | None,
    progress: Progress,
) -> int:
    """Review, print the comment to stdout, write the requested reports; return the exit code."""
    root = _checkout_root(cli_values)
    file_values, config_source = read_config_file(_reader(root), config)
    settings = load_settings(cli_values, file_values, config_source)
    change = _load_change(settings, root, progress)
    if config_source:
        progress(f"config from {config_source}")
    review = asyncio.run(
        review_change(change, settings, progress=progress, config_source=config_source)
    )
    body = render_markdown(review)
    sys.stdout.write(body if body.endswith("\n") else body + "\n")
    sys.stdout.flush()
    write_reports(review, body, settings)
    progress(f"verdict: {review.gate.verdict.value} (exit {review.gate.exit_code})")
    return review.gate.exit_code


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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = render()
            path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        except OSError as err:
            raise UsageError(f"cannot write {path}: {err.strerror or err}") from err


def _checkout_root(cli_values: Mapping[str, Any]) -> Path:
    given = cli_values.get("repo") or os.environ.get("BATON_REPO")
    start = Path(given) if given else Path.cwd()
    if not start.is_dir():
        raise UsageError(f"repository directory not found: {start}")
    if cli_values.get("diff") or os.environ.get("BATON_DIFF"):
        return start.resolve()
    return find_repo_root(start)


def _reader(root: Path) -> Callable[[str], str | None]:
    def read(relpath: str) -> str | None:
        path = root / relpath
        try:
            return path.read_text(encoding="utf-8") if path.is_file() else None
        except (OSError, UnicodeDecodeError) as err:
            raise UsageError(f"cannot read {path}: {err}") from err

    return read


def _load_change(settings: Settings, root: Path, progress: Progress) -> ChangeSet:
    if settings.diff is not None:
        raw = read_diff_file(settings.diff, sys.stdin.buffer)
        change = parse_diff(raw, root=str(root))
        progress(f"diff from {settings.diff}: {len(change.files)} files")
        return change
    base_ref = settings.base or default_base(root)
    raw, base, head = git_diff(root, base_ref, settings.head)
    change = parse_diff(raw, root=str(root), base=base, head=head)
    progress(
        f"reviewing {base[:12]}..{head[:12]} (merge-base with {base_ref}): "
        f"{len(change.files)} files, {change.added_count} added lines"
    )
    dirty = dirty_paths(root, [f.path for f in change.files])
    if dirty:
        progress(
            f"warning: {len(dirty)} changed files have uncommitted edits; tools read the "
            f"working copy, so findings there may be off by some lines ({', '.join(dirty[:3])})"
        )
    return change
