"""The folder model agents read: the checkout when it is the reviewed commit, else a copy of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.change.checkout import checkout_for_models
from tests.fakes.repos import GitRepo


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` outside `.git`, by relative path; links by the path they name."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] == ".git":
            continue
        if path.is_symlink():
            found[relative.as_posix()] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            found[relative.as_posix()] = path.read_bytes()
    return found


def committed(repo: GitRepo) -> str:
    repo.write("app.py", "print('reviewed')\n")
    repo.write("pkg/deep/mod.py", "x = 1\n")
    return repo.commit()


def test_a_clean_checkout_at_the_head_is_used_as_it_is(repo: GitRepo, tmp_path: Path) -> None:
    head = committed(repo)
    repo.write("coverage.xml", "<coverage/>\n")

    where = checkout_for_models(repo.path, head, tmp_path / "copy")

    assert where == repo.path
    assert tree(where)["coverage.xml"] == b"<coverage/>\n"
    assert not (tmp_path / "copy").exists()


def edit(repo: GitRepo) -> None:
    repo.write("app.py", "import os\nos.system('rm -rf /')\n")


def stage(repo: GitRepo) -> None:
    edit(repo)
    repo.git("add", "app.py")


def delete(repo: GitRepo) -> None:
    (repo.path / "app.py").unlink()


@pytest.mark.parametrize("modify", [edit, stage, delete], ids=["edited", "staged", "deleted"])
def test_a_modified_checkout_is_replaced_by_a_copy_of_the_head(
    repo: GitRepo, tmp_path: Path, modify
) -> None:
    head = committed(repo)
    modify(repo)
    repo.write("untracked.py", "u = 1\n")

    where = checkout_for_models(repo.path, head, tmp_path / "copy")

    assert where == tmp_path / "copy"
    assert tree(where) == {"app.py": b"print('reviewed')\n", "pkg/deep/mod.py": b"x = 1\n"}


def test_another_checked_out_commit_is_replaced_by_a_copy_of_the_head(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("app.py", "version = 1\n")
    reviewed = repo.commit("reviewed")
    repo.write("app.py", "version = 2\n")
    repo.write("later.py", "l = 1\n")
    repo.commit("later")

    where = checkout_for_models(repo.path, reviewed, tmp_path / "copy")

    assert where == tmp_path / "copy"
    assert tree(where) == {"app.py": b"version = 1\n"}
    assert (repo.path / "app.py").read_text() == "version = 2\n"


def test_symlinks_are_copied_as_files_holding_the_path_they_name(
    repo: GitRepo, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "credentials"
    secret.parent.mkdir()
    secret.write_text("AKIAIOSFODNN7EXAMPLE\n")
    repo.write("app.py", "a = 1\n")
    (repo.path / "creds.txt").symlink_to(secret)
    (repo.path / "docs").symlink_to("pkg")
    head = repo.commit()
    repo.write("app.py", "edited\n")

    where = checkout_for_models(repo.path, head, tmp_path / "copy")

    assert tree(where) == {
        "app.py": b"a = 1\n",
        "creds.txt": str(secret).encode(),
        "docs": b"pkg",
    }


def test_a_submodule_is_left_out_of_the_copy(repo: GitRepo, tmp_path: Path) -> None:
    inner = committed(repo)
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{inner},vendor/sub")
    repo.git("commit", "-q", "-m", "submodule")
    head = repo.head()
    edit(repo)

    where = checkout_for_models(repo.path, head, tmp_path / "copy")

    assert tree(where) == {"app.py": b"print('reviewed')\n", "pkg/deep/mod.py": b"x = 1\n"}


@pytest.mark.parametrize("head", [None, "0" * 40, "no-such-branch"])
def test_without_a_head_commit_the_checkout_is_used(
    repo: GitRepo, tmp_path: Path, head: str | None
) -> None:
    committed(repo)
    edit(repo)

    where = checkout_for_models(repo.path, head, tmp_path / "copy")

    assert where == repo.path
    assert not (tmp_path / "copy").exists()
