"""Reading the reviewed revision's files: from git's objects, or from the working tree.

From a commit, uncommitted edits are never seen; from the working tree, no symbolic link is
ever followed. Either way a link's content is the path it names, not the bytes it leads to.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from baton.change.revision import (
    WORKING_TREE,
    Entry,
    EntryKind,
    GitRevision,
    Revision,
    WorktreeRevision,
    revision_at,
)
from baton.errors import IncompleteReviewError
from tests.fakes.repos import GitRepo

SECRET = "AKIAIOSFODNN7EXAMPLE\n"


def read(revision: Revision, paths: list[str]) -> tuple[dict[str, Entry], dict[str, bytes]]:
    """The entries of `paths` and the bytes of every readable one."""
    entries = revision.entries(paths)
    return entries, dict(revision.contents(entries))


def kinds(entries: dict[str, Entry]) -> dict[str, EntryKind]:
    return {path: entry.kind for path, entry in entries.items()}


def secret_outside(tmp_path: Path) -> Path:
    """A file beside the repository holding a secret a link could lead to."""
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "credentials"
    target.write_text(SECRET)
    return target


def test_a_commit_gives_each_path_its_kind_size_and_bytes(repo: GitRepo) -> None:
    repo.write("src/app.py", "print('hi')\n")
    repo.write("run.sh", "#!/bin/sh\necho\n").chmod(0o755)
    (repo.path / "link.py").symlink_to("src/app.py")
    head = repo.commit()

    entries, contents = read(GitRevision(repo.path, head), ["src/app.py", "run.sh", "link.py"])

    assert kinds(entries) == {
        "src/app.py": EntryKind.FILE,
        "run.sh": EntryKind.FILE,
        "link.py": EntryKind.SYMLINK,
    }
    assert {path: entry.size for path, entry in entries.items()} == {
        "src/app.py": 12,
        "run.sh": 15,
        "link.py": len("src/app.py"),
    }
    assert all(entry.readable and entry.object_id for entry in entries.values())
    assert contents == {
        "src/app.py": b"print('hi')\n",
        "run.sh": b"#!/bin/sh\necho\n",
        "link.py": b"src/app.py",
    }


def test_a_committed_link_to_a_secret_outside_yields_its_path_not_the_secret(
    repo: GitRepo, tmp_path: Path
) -> None:
    target = secret_outside(tmp_path)
    (repo.path / "config.txt").symlink_to(target)
    head = repo.commit()

    entries, contents = read(GitRevision(repo.path, head), ["config.txt"])

    assert entries["config.txt"].kind is EntryKind.SYMLINK
    assert contents == {"config.txt": os.fsencode(target)}
    assert SECRET.encode() not in contents["config.txt"]


def test_missing_paths_and_folders_are_missing_and_not_read(repo: GitRepo) -> None:
    repo.write("pkg/mod.py", "x = 1\n")
    head = repo.commit()

    entries, contents = read(GitRevision(repo.path, head), ["gone.py", "pkg", "pkg/mod.py"])

    assert kinds(entries) == {
        "gone.py": EntryKind.MISSING,
        "pkg": EntryKind.MISSING,
        "pkg/mod.py": EntryKind.FILE,
    }
    assert not entries["gone.py"].readable
    assert contents == {"pkg/mod.py": b"x = 1\n"}


def test_a_submodule_is_listed_but_has_no_content(repo: GitRepo) -> None:
    repo.write("a.py", "a = 1\n")
    inner = repo.commit()
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{inner},sub")
    repo.git("commit", "-q", "-m", "submodule")
    head = repo.head()

    entries, contents = read(GitRevision(repo.path, head), ["sub", "a.py"])

    assert entries["sub"] == Entry(EntryKind.SUBMODULE, 0, inner)
    assert not entries["sub"].readable
    assert contents == {"a.py": b"a = 1\n"}


def test_a_file_name_that_is_not_utf8_is_found_under_its_replaced_name(repo: GitRepo) -> None:
    raw_name = os.fsencode(repo.path) + b"/caf\xe9.txt"
    handle = os.open(raw_name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(handle, b"latin name\n")
    os.close(handle)
    head = repo.commit()
    shown = b"caf\xe9.txt".decode("utf-8", "replace")

    every = dict(GitRevision(repo.path, head).every_entry())
    entries, contents = read(GitRevision(repo.path, head), [shown])

    assert list(every) == ["caf\ufffd.txt"]
    assert entries[shown].kind is EntryKind.FILE
    assert contents == {shown: b"latin name\n"}


def test_a_commit_does_not_see_uncommitted_edits(repo: GitRepo) -> None:
    repo.write("app.py", "committed = True\n")
    repo.write("kept.py", "kept = True\n")
    head = repo.commit()
    repo.write("app.py", "edited = True\n")
    (repo.path / "kept.py").unlink()
    repo.write("new.py", "untracked = True\n")

    entries, contents = read(GitRevision(repo.path, head), ["app.py", "kept.py", "new.py"])

    assert kinds(entries)["new.py"] is EntryKind.MISSING
    assert contents == {"app.py": b"committed = True\n", "kept.py": b"kept = True\n"}


def test_an_older_commit_is_read_while_a_newer_one_is_checked_out(repo: GitRepo) -> None:
    repo.write("app.py", "version = 1\n")
    first = repo.commit("first")
    repo.write("app.py", "version = 2\n")
    repo.write("later.py", "x = 1\n")
    repo.commit("second")

    entries, contents = read(GitRevision(repo.path, first), ["app.py", "later.py"])

    assert kinds(entries)["later.py"] is EntryKind.MISSING
    assert contents == {"app.py": b"version = 1\n"}


def test_many_files_are_read_in_one_batch(repo: GitRepo) -> None:
    expected = {
        f"dir{n % 7}/file{n:04}.txt": f"content {n}\n".encode() * (n % 5) for n in range(600)
    }
    expected["big.bin"] = bytes(range(256)) * 400
    for path, data in expected.items():
        repo.write(path, data)
    head = repo.commit()

    entries, contents = read(GitRevision(repo.path, head), list(expected))

    assert contents == expected
    assert {path: entry.size for path, entry in entries.items()} == {
        path: len(data) for path, data in expected.items()
    }


def test_every_entry_lists_the_whole_tree_from_any_folder(repo: GitRepo) -> None:
    repo.write("top.py", "t\n")
    repo.write("a/b/deep.py", "d\n")
    (repo.path / "a" / "link").symlink_to("b")
    head = repo.commit()

    every = dict(GitRevision(repo.path / "a" / "b", head).every_entry())

    assert kinds(every) == {
        "a/b/deep.py": EntryKind.FILE,
        "a/link": EntryKind.SYMLINK,
        "top.py": EntryKind.FILE,
    }


def test_a_commit_the_repository_lacks_cannot_be_read(repo: GitRepo) -> None:
    repo.commit()

    with pytest.raises(IncompleteReviewError, match="git ls-tree failed"):
        GitRevision(repo.path, "0" * 40).entries(["a.py"])


def test_nothing_readable_runs_no_batch(repo: GitRepo) -> None:
    head = repo.commit()
    revision = GitRevision(repo.path, head)

    assert list(revision.contents(revision.entries(["nothing.py"]))) == []
    assert list(revision.contents({})) == []


def test_the_working_tree_gives_kinds_sizes_and_bytes(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_bytes(b"x = 1\n")
    (root / "link.py").symlink_to("pkg/mod.py")
    (root / "dangling").symlink_to("no/such/file")
    os.mkfifo(root / "pipe")

    entries, contents = read(
        WorktreeRevision(root), ["pkg/mod.py", "link.py", "dangling", "pkg", "pipe", "gone.py"]
    )

    assert kinds(entries) == {
        "pkg/mod.py": EntryKind.FILE,
        "link.py": EntryKind.SYMLINK,
        "dangling": EntryKind.SYMLINK,
        "pkg": EntryKind.OTHER,
        "pipe": EntryKind.OTHER,
        "gone.py": EntryKind.MISSING,
    }
    assert entries["pkg/mod.py"].size == 6
    assert entries["pkg/mod.py"].object_id is None
    assert contents == {
        "pkg/mod.py": b"x = 1\n",
        "link.py": b"pkg/mod.py",
        "dangling": b"no/such/file",
    }


def test_a_working_tree_link_to_a_secret_outside_yields_its_path(tmp_path: Path) -> None:
    target = secret_outside(tmp_path)
    root = tmp_path / "tree"
    root.mkdir()
    (root / "config.txt").symlink_to(target)

    entries, contents = read(WorktreeRevision(root), ["config.txt"])

    assert entries["config.txt"] == Entry(EntryKind.SYMLINK, len(os.fsencode(target)))
    assert contents == {"config.txt": os.fsencode(target)}


@pytest.mark.parametrize(
    "path", ["linked/credentials", "linked/../outside/credentials", "file.txt/inner"]
)
def test_a_path_through_a_linked_folder_or_a_file_is_missing(tmp_path: Path, path: str) -> None:
    secret_outside(tmp_path)
    root = tmp_path / "tree"
    root.mkdir()
    (root / "linked").symlink_to(tmp_path / "outside")
    (root / "file.txt").write_text("plain\n")

    entries, contents = read(WorktreeRevision(root), [path])

    assert entries == {path: Entry(EntryKind.MISSING)}
    assert contents == {}


def test_a_file_swapped_for_a_link_after_listing_is_not_followed(tmp_path: Path) -> None:
    target = secret_outside(tmp_path)
    root = tmp_path / "tree"
    root.mkdir()
    (root / "app.py").write_text("x = 1\n")
    revision = WorktreeRevision(root)
    entries = revision.entries(["app.py"])
    (root / "app.py").unlink()
    (root / "app.py").symlink_to(target)

    with pytest.raises(IncompleteReviewError, match=r"cannot read app\.py"):
        dict(revision.contents(entries))


def test_a_file_removed_after_listing_makes_the_review_incomplete(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    revision = WorktreeRevision(tmp_path)
    entries = revision.entries(["app.py"])
    (tmp_path / "app.py").unlink()

    with pytest.raises(IncompleteReviewError, match=r"cannot read app\.py"):
        dict(revision.contents(entries))


def test_revision_at_reads_git_when_the_commit_exists(repo: GitRepo) -> None:
    repo.write("app.py", "committed\n")
    head = repo.commit()
    repo.write("app.py", "edited\n")

    revision = revision_at(repo.path, head)

    assert revision.label == f"commit {head[:12]}"
    assert dict(revision.contents(revision.entries(["app.py"]))) == {"app.py": b"committed\n"}


@pytest.mark.parametrize("commit", [None, "0" * 40, "no-such-branch"])
def test_revision_at_reads_the_working_tree_without_such_a_commit(
    repo: GitRepo, commit: str | None
) -> None:
    repo.write("app.py", "committed\n")
    repo.commit()
    repo.write("app.py", "edited\n")

    revision = revision_at(repo.path, commit)

    assert revision.label == WORKING_TREE
    assert dict(revision.contents(revision.entries(["app.py"]))) == {"app.py": b"edited\n"}


def test_revision_at_outside_any_repository_reads_the_folder(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("plain\n")

    revision = revision_at(tmp_path, "HEAD")

    assert revision.label == WORKING_TREE
    assert dict(revision.contents(revision.entries(["app.py"]))) == {"app.py": b"plain\n"}
