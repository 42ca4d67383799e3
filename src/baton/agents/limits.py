"""Limits shared by every agent of one run: the spending budget, the session slots, a stop.

`RunLimits` is created once per review and handed to each agent in its context. Model
sessions take a slot before they start and report their cost after; once the budget is
spent no new session starts. `stop` (a SIGTERM or SIGINT) ends the run: the agents still
running are cancelled and recorded as failed with that reason, and no later phase starts.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class RunLimits:
    max_budget_usd: float | None = None
    max_concurrency: int = 4
    spent_usd: float = 0.0
    stopped: str | None = None
    """Why the run was stopped from outside (`interrupted by SIGTERM`), if it was."""
    _slots: asyncio.Semaphore | None = field(default=None, repr=False)

    @property
    def slots(self) -> asyncio.Semaphore:
        """Bounds concurrent model sessions across all agents (made on first use, in the loop)."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrency)
        return self._slots

    def stop(self, reason: str) -> None:
        self.stopped = self.stopped or reason

    def charge(self, cost_usd: float) -> None:
        self.spent_usd += max(cost_usd, 0.0)

    @property
    def exhausted(self) -> bool:
        return self.max_budget_usd is not None and self.spent_usd >= self.max_budget_usd

    def remaining_usd(self) -> float | None:
        if self.max_budget_usd is None:
            return None
        return max(self.max_budget_usd - self.spent_usd, 0.0)
