"""Findings carried through the commits since the last review: moved with their line, dropped
when the line changed, was deleted, or left the change."""

from __future__ import annotations

from pathlib import Path

from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.change.source import git_diff
from baton.findings.model import Severity
from baton.memory.interdiff import carry_forward, interdiff
from baton.memory.state import Detail, Remembered, Status
from tests.fakes.repos import GitRepo

LINES = "".join(f"line {n}\n" for n in range(1, 21))


def change_of(repo: GitRepo) -> ChangeSet:
    raw, base, head = git_diff(repo.path, "main", "HEAD")
    return parse_diff(raw, root=str(repo.path), base=base, head=head)


def remembered(path: str, line: int, *, end: int | None = None, agent: str = "claude-quality"):
    return Remembered(
        fingerprint=f"{path}:{line}",
        agent=agent,
        rule="naming",
        path=path,
        line=line,
        severity=Severity.HIGH,
        status=Status.OPEN,
        first_seen="a" * 12,
        detail=Detail(title=f"finding on {line}", end_line=end),
    )


def carried(repo: GitRepo, since: str, *records: Remembered) -> dict[str, tuple[str, int | None]]:
    diff = interdiff(Path(repo.path), since, change_of(repo))
    found = carry_forward(records, diff, frozenset({"claude-quality"}))
    return {f.title: (f.path, f.line) for f in found}


def test_lines_move_with_insertions_above_and_changed_lines_drop(repo: GitRepo) -> None:
    repo.pull_request({"README.md": "x\n"}, {"app.py": LINES, "other.py": LINES})
    last = repo.head()
    lines = LINES.splitlines(keepends=True)
    lines[4] = "line 5 changed\n"  # line 5 changed
    lines[14:15] = []  # line 15 deleted
    repo.write("app.py", "new 0\nnew 00\n" + "".join(lines))  # two lines inserted on top
    repo.commit("push")

    moved = carried(
        repo,
        last,
        remembered("app.py", 3),
        remembered("app.py", 5),
        remembered("app.py", 15),
        remembered("app.py", 20),
        remembered("app.py", 6, end=9),
        remembered("app.py", 4, end=6),
        remembered("other.py", 7),
    )

    assert moved == {
        "finding on 3": ("app.py", 5),
        "finding on 20": ("app.py", 21),  # +2 above, -1 deleted
        "finding on 6": ("app.py", 8),
        "finding on 7": ("other.py", 7),  # a file the push did not touch
    }


def test_a_renamed_file_carries_its_findings_to_the_new_path(repo: GitRepo) -> None:
    repo.pull_request({"README.md": "x\n"}, {"app.py": LINES})
    last = repo.head()
    repo.git("mv", "app.py", "core.py")
    repo.commit("rename")

    assert carried(repo, last, remembered("app.py", 12)) == {"finding on 12": ("core.py", 12)}


def test_a_deleted_file_or_one_back_to_its_base_carries_nothing(repo: GitRepo) -> None:
    repo.pull_request({"README.md": "x\n", "kept.py": LINES}, {"gone.py": LINES})
    repo.write("kept.py", LINES + "extra\n")
    repo.commit("more")
    last = repo.head()
    repo.remove("gone.py")
    repo.write("kept.py", LINES)  # back to what the base has: no longer part of the change
    repo.commit("revert")

    assert carried(repo, last, remembered("gone.py", 2), remembered("kept.py", 21)) == {}


def test_only_open_findings_of_the_model_agents_with_their_text_are_carried(
    repo: GitRepo,
) -> None:
    repo.pull_request({"README.md": "x\n"}, {"app.py": LINES})
    last = repo.head()
    repo.write("b.py", "x = 1\n")
    repo.commit("unrelated")
    builtin = remembered("app.py", 1, agent="quality")
    fixed = remembered("app.py", 2).model_copy(update={"status": Status.FIXED})
    bare = remembered("app.py", 3).model_copy(update={"detail": None})

    assert carried(repo, last, builtin, fixed, bare, remembered("app.py", 4)) == {
        "finding on 4": ("app.py", 4)
    }


def test_the_interdiff_holds_only_what_the_push_changed_in_the_pull_request(
    repo: GitRepo,
) -> None:
    repo.pull_request({"README.md": "x\n"}, {"app.py": LINES, "b.py": "b = 1\n"})
    last = repo.head()
    repo.write("app.py", LINES + "line 21\n")
    repo.commit("push")

    diff = interdiff(Path(repo.path), last, change_of(repo))

    assert [f.path for f in diff.change.files] == ["app.py"]
    assert diff.change.files[0].added_lines == frozenset({21})
    assert diff.change.head == repo.head()
