"""Full, incremental or remembered: how much of the change the model agents review this time.

The built-in agents always review the whole change; this decides only for the model agents.

* remembered: the head is the one every model agent last reviewed, and that review was
  complete: no model session at all, their findings come from the state;
* incremental: every model agent last reviewed the same head, an ancestor of this one, with
  the same base and configuration: they review what the commits since then changed, and their
  other findings are carried forward;
* full: anything else — no usable state, `--full`, `incremental = "off"`, a rebase or
  force-push, another merge-base, changed configuration, an agent that did not finish — with
  the reason, which the comment shows.

`--since REF` asks for an incremental review from REF without any state (nothing is carried).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from baton.change.source import commit_of, has_commit, run_git
from baton.memory.state import ReadState, ReviewState
from baton.repo_config import RepoConfig
from baton.settings import Incremental, Settings


class Mode(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"
    REMEMBERED = "remembered"


@dataclass(frozen=True)
class Plan:
    mode: Mode
    reason: str
    since: str | None = None
    state: ReviewState | None = None
    """The earlier state, when it can be used (carried findings, first-seen heads)."""


def config_digest(settings: Settings, repo: RepoConfig) -> str:
    """A digest of everything that steers the model agents: a change to it means a full review."""
    steering = {
        "values": repo.values,
        "claude_agents": repo.claude_agents,
        "prompts": repo.prompts,
        "settings": settings.model_dump(
            mode="json",
            include={"agents", "only", "phases", "engine", "model", "severity", "exclude"},
        ),
    }
    text = json.dumps(steering, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_review(
    read: ReadState,
    *,
    root: Path,
    head: str | None,
    base: str | None,
    subject: str,
    digest: str,
    model_agents: Sequence[str],
    settings: Settings,
) -> Plan:
    """How the model agents review this run, and why."""
    if settings.since is not None:
        since = commit_of(root, settings.since)
        return Plan(Mode.INCREMENTAL, f"model agents review {since[:7]}..head (--since)", since)
    if settings.full:
        return Plan(Mode.FULL, "a full review was asked for (--full)")
    if settings.incremental is Incremental.OFF:
        return Plan(Mode.FULL, 'incremental review is off (incremental = "off")')
    state = read.state
    if state is None:
        return Plan(Mode.FULL, read.reason or "no earlier review state")
    why = _mismatch(state, base=base, subject=subject, digest=digest)
    if why is not None:
        return Plan(Mode.FULL, why)
    heads = {name: state.agents.get(name) for name in model_agents}
    missing = sorted(name for name, seen in heads.items() if seen is None)
    if missing:
        return Plan(Mode.FULL, f"{', '.join(missing)} did not finish the last review")
    if len(set(heads.values())) != 1:
        return Plan(Mode.FULL, "the model agents last reviewed different heads")
    last = next(iter(heads.values()))
    assert last is not None
    if last == head:
        if not state.complete:
            return Plan(Mode.FULL, "the last review of this head was incomplete")
        return Plan(Mode.REMEMBERED, f"same head as the last review ({last[:7]})", last, state)
    if head is None or not has_commit(root, last):
        return Plan(Mode.FULL, f"the last reviewed head {last[:7]} is not in the checkout")
    if not _is_ancestor(root, last, head):
        reason = f"the last reviewed head {last[:7]} is not in this head's history (rebase?)"
        return Plan(Mode.FULL, reason)
    return Plan(Mode.INCREMENTAL, f"model agents review what changed since {last[:7]}", last, state)


def _mismatch(state: ReviewState, *, base: str | None, subject: str, digest: str) -> str | None:
    if state.partial:
        return "the earlier review state was cut short to fit the comment"
    if subject and state.subject and state.subject != subject:
        return "the earlier review state belongs to another change request"
    if state.base != base:
        old = (state.base or "none")[:7]
        return f"the merge-base changed since the last review ({old} → {(base or 'none')[:7]})"
    if state.config != digest:
        return "the review configuration changed since the last review"
    return None


def _is_ancestor(root: Path, older: str, newer: str) -> bool:
    done = run_git(root, "merge-base", "--is-ancestor", older, newer)
    return done.returncode == 0
