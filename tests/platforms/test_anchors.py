"""Inline anchors only on lines the platform will accept."""

from __future__ import annotations

from baton.change.parse import parse_diff
from baton.change.source import git_diff
from baton.findings.model import Finding, Placement, Severity
from baton.platforms.anchors import Anchor, anchor_for
from tests.fakes.repos import GitRepo


def finding(line: int, end: int | None = None, **extra: object) -> Finding:
    values: dict[str, object] = {
        "agent": "quality",
        "rule_id": "R",
        "severity": Severity.HIGH,
        "path": "a.py",
        "line": line,
        "end_line": end,
        "title": "t",
    }
    return Finding.model_validate(values | extra)


def test_anchors(repo: GitRepo) -> None:
    lines = [f"v{i} = {i}\n" for i in range(1, 41)]
    repo.write("a.py", "".join(lines))
    base = repo.commit("base")
    lines[4] = "v5 = 'five'\n"
    lines[5] = "v6 = 'six'\n"
    lines[30] = "v31 = 'x'\n"
    repo.write("a.py", "".join(lines))
    repo.commit("edit")
    raw, _, _ = git_diff(repo.path, base)
    change = parse_diff(raw, root=str(repo.path))

    assert anchor_for(finding(5), change) == Anchor("a.py", 5)
    assert anchor_for(finding(5, 6), change) == Anchor("a.py", 6, start_line=5)
    assert anchor_for(finding(5, 31), change) == Anchor("a.py", 5)  # other hunk: one line
    assert anchor_for(finding(4), change) is None  # context, not added
    assert anchor_for(finding(5, placement=Placement.OUTSIDE), change) is None
    assert anchor_for(finding(5, path="b.py"), change) is None
