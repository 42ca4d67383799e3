"""What a run takes from earlier ones (`Recalled`, read before the review) and what it makes of
it for the model agents (`Memory`: the plan, the interdiff they review, the findings carried).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from baton.change.model import ChangeSet
from baton.errors import BatonError
from baton.findings.model import Finding
from baton.memory.dismissals import Dismissals, read_dismissals
from baton.memory.interdiff import carry_forward, interdiff
from baton.memory.plan import Mode, Plan, config_digest, plan_review
from baton.memory.state import ReadState, Status, read_state
from baton.platforms.base import Recall
from baton.repo_config import RepoConfig
from baton.settings import Settings

FIRST_REVIEW = "no earlier review on this change request"


@dataclass(frozen=True)
class Recalled:
    """The earlier state and the dismissals, as read from the change request."""

    read: ReadState = field(default_factory=lambda: read_state(None))
    dismissals: Dismissals = field(default_factory=lambda: Dismissals({}))
    subject: str = ""
    warnings: tuple[str, ...] = ()
    """What could not be read (shown in the comment as well as the log)."""

    @classmethod
    def from_platform(cls, recall: Recall, subject: str) -> Recalled:
        read = read_state(recall.summary)
        if recall.summary is None and recall.warnings:
            read = ReadState(None, "baton's earlier comment could not be read")
        return cls(read, read_dismissals(recall.replies), subject, tuple(recall.warnings))


@dataclass(frozen=True)
class Memory:
    """How the model agents review this run, and what they start from."""

    plan: Plan
    recalled: Recalled
    digest: str
    model_change: ChangeSet | None = None
    """Incremental: the part of the change the model agents review."""
    carried: tuple[Finding, ...] = ()
    """The model agents' earlier findings that still stand where they were."""

    @property
    def note(self) -> str | None:
        """What the comment says about it (nothing on a first full review)."""
        if self.plan.mode is Mode.FULL and self.plan.reason == FIRST_REVIEW:
            return None
        word = {Mode.FULL: "full review", Mode.INCREMENTAL: "incremental review"}
        kind = word.get(self.plan.mode, "no model review needed")
        return f"{kind}: {self.plan.reason}"


def remember(
    recalled: Recalled,
    change: ChangeSet,
    settings: Settings,
    repo: RepoConfig,
    model_agents: Sequence[str],
) -> Memory:
    """The plan for `model_agents`, with the interdiff and the carried findings it needs."""
    digest = config_digest(settings, repo)
    plan = plan_review(
        recalled.read,
        root=Path(change.root),
        head=change.head,
        base=change.base,
        subject=recalled.subject,
        digest=digest,
        model_agents=model_agents,
        settings=settings,
    )
    agents = frozenset(model_agents)
    if plan.mode is Mode.REMEMBERED and plan.state is not None:
        carried = [
            found
            for record in plan.state.findings
            if record.agent in agents and record.status is Status.OPEN
            if (found := record.finding()) is not None
        ]
        return Memory(plan, recalled, digest, carried=tuple(carried))
    if plan.mode is Mode.INCREMENTAL and plan.since is not None:
        try:
            diff = interdiff(Path(change.root), plan.since, change)
        except BatonError as err:
            full = Plan(Mode.FULL, f"the changes since {plan.since[:7]} could not be read: {err}")
            return Memory(full, recalled, digest)
        records = plan.state.findings if plan.state is not None else ()
        carried = carry_forward(records, diff, agents)
        return Memory(plan, recalled, digest, diff.change, tuple(carried))
    return Memory(plan, recalled, digest)
