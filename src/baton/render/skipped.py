"""The comment's list of files not reviewed: skipped by the review, or by an agent.

An agent skips the files that are not its kind (not Python, not a Dockerfile, …); such a
file is listed only when no agent reviewed it, so a change of Python files does not list
each of them as "not a shell script". Every skip stays in the JSON report.
"""

from __future__ import annotations

from markupsafe import Markup

from baton.agents.skips import reviewed_paths
from baton.render.escape import code, inline
from baton.report import Review


def skipped_items(review: Review) -> list[Markup]:
    """Files the review skipped, and files an agent skipped: for being another kind of file
    only when no agent reviewed them (a Python file is no Dockerfile, and needs no line)."""
    reviewed = reviewed_paths(review.agents)
    entries = [(s.path, s.reason, "") for s in review.skipped]
    entries += [
        (s.path, s.reason, a.name)
        for a in review.agents
        for s in a.skipped
        if not (s.other_kind and s.path in reviewed)
    ]
    items = []
    for path, reason, agent in sorted(entries):
        item = Markup("{} — {}").format(code(path, limit=300), inline(reason, limit=200))
        if agent:
            item = Markup("{} ({})").format(item, inline(agent, limit=60))
        items.append(item)
    return items
