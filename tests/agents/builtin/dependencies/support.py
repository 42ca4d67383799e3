"""Helpers for the dependency parser tests: a change's entries and skips as plain tuples."""

from __future__ import annotations

from baton.agents.builtin.dependencies.manifests import Changed, changed_entries

Entry = tuple[str, str | None, str, int, str | None]
"""name, version, spec, line, previous."""
Skipped = tuple[str, int | None, str]
"""name, line, reason."""


def entries(changed: Changed) -> list[Entry]:
    """The change's entries as (name, version, spec, line, previous)."""
    assert changed.problem is None, changed.problem
    return [(e.name, e.version, e.spec, e.line, e.previous) for e in changed.entries]


def skips(changed: Changed) -> list[Skipped]:
    """The change's skipped entries as (name, line, reason)."""
    return [(s.name, s.line, s.reason) for s in changed.skipped]


def problem(path: str, head: str) -> str:
    """The one-line reason `head` of `path` does not parse (and nothing else comes back)."""
    changed = changed_entries(path, head, None)
    assert changed.problem is not None, changed
    assert changed.problem.path == path
    assert not changed.entries and not changed.skipped
    assert "\n" not in changed.problem.reason
    return changed.problem.reason
