"""Which changed files the agents reviewed, and which skips are worth keeping in the report.

An agent skips every file that is not its kind: a change of 20,000 Python files would list
each of them under the shell, Dockerfile and workflow agents, megabytes of JSON that say
nothing, since bandit and ruff reviewed them. A file skipped for its kind is therefore kept
in an agent's list only when no agent that ran reviewed it; skips for any other reason (an
`agents.NAME.ignore` glob, a file the tool refused) are always kept. `files_reviewed` still
counts what each agent was given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from baton.agents.base import AgentResult, AgentStatus


def reviewed_paths(results: Iterable[AgentResult]) -> set[str]:
    """Paths that some agent skipped for their kind but another agent that ran reviewed."""
    results = list(results)
    every = {s.path for a in results for s in a.skipped if s.other_kind}
    reviewed: set[str] = set()
    for result in results:
        if result.status is not AgentStatus.SKIPPED:
            reviewed |= every - {s.path for s in result.skipped}
    return reviewed


def without_reviewed_kinds(results: Sequence[AgentResult]) -> list[AgentResult]:
    """`results` with the files skipped for their kind left out where another agent
    reviewed them."""
    reviewed = reviewed_paths(results)
    if not reviewed:
        return list(results)
    return [
        result.model_copy(
            update={
                "skipped": tuple(
                    s for s in result.skipped if not (s.other_kind and s.path in reviewed)
                )
            }
        )
        for result in results
    ]
