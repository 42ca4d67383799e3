"""The folder the tools read: each changed file's bytes and UTF-8 text, checked against the diff.

Changes come from real repositories: a commit range (`git_diff`), or the working tree's edits
as a diff file would give them (no commits, so the files are read from the checkout).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.change.model import ChangeSet
from baton.change.parse import parse_diff
from baton.change.revision import WORKING_TREE, EntryKind
from baton.change.source import git_diff, run_git
from baton.change.workspace import Workspace, build_workspace
from tests.fakes.repos import GitRepo


def change_of(repo: GitRepo, base: str) -> ChangeSet:
    raw, base_sha, head_sha = git_diff(repo.path, base)
    return parse_diff(raw, root=str(repo.path), base=base_sha, head=head_sha)


def worktree_change(repo: GitRepo) -> ChangeSet:
    """The working tree's edits against HEAD, without base or head: a diff file's change."""
    repo.git("add", "-A")
    raw = run_git(repo.path, "diff", "--cached", "--no-color", "--no-ext-diff").stdout
    return parse_diff(raw, root=str(repo.path))


def build(change: ChangeSet, tmp_path: Path, max_file_bytes: int = 1_000_000, **kw) -> Workspace:
    return build_workspace(change, tmp_path / "workspace", max_file_bytes=max_file_bytes, **kw)


def files_under(folder: Path) -> dict[str, bytes]:
    """Every regular file below `folder`, by relative path (nothing when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def test_each_changed_file_is_copied_as_bytes_and_as_utf8_text(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("gone.py", "removed = True\n")
    repo.write("pkg/app.py", "a = 1\n")
    base = repo.commit("base")
    repo.remove("gone.py")
    repo.write("pkg/app.py", "a = 1\nb = 'ü'\n")
    repo.write("legacy/names.txt", b"name = 'caf\xe9'\n")
    head = repo.commit("change")
    repo.write("pkg/app.py", "edited after the commit\n")

    workspace = build(change_of(repo, base), tmp_path)

    assert workspace.revision == f"commit {head[:12]}"
    assert files_under(workspace.raw) == {
        "legacy/names.txt": b"name = 'caf\xe9'\n",
        "pkg/app.py": "a = 1\nb = 'ü'\n".encode(),
    }
    assert files_under(workspace.text) == {
        "legacy/names.txt": "name = 'café'\n".encode(),
        "pkg/app.py": "a = 1\nb = 'ü'\n".encode(),
    }
    assert sorted(workspace.entries) == ["legacy/names.txt", "pkg/app.py"]
    assert workspace.mismatched == {}
    assert workspace.binary == frozenset()
    assert workspace.has_text("pkg/app.py")
    assert not workspace.has_text("gone.py")


def test_a_python_file_keeps_its_own_encoding_under_raw(repo: GitRepo, tmp_path: Path) -> None:
    base = repo.commit("empty")
    data = "# -*- coding: cp1252 -*-\nprice = '€'\n".encode("cp1252")
    repo.write("shop.py", data)
    repo.commit()

    workspace = build(change_of(repo, base), tmp_path)

    assert (workspace.raw / "shop.py").read_bytes() == data
    assert (workspace.text / "shop.py").read_text("utf-8") == (
        "# -*- coding: cp1252 -*-\nprice = '€'\n"
    )


def test_a_symlink_becomes_a_file_holding_the_path_it_names(repo: GitRepo, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "credentials"
    secret.parent.mkdir()
    secret.write_text("AKIAIOSFODNN7EXAMPLE\n")
    base = repo.commit("empty")
    (repo.path / "creds.txt").symlink_to(secret)
    (repo.path / "alias.py").symlink_to("creds.txt")
    repo.commit()

    workspace = build(change_of(repo, base), tmp_path)

    for folder in (workspace.raw, workspace.text):
        assert not (folder / "creds.txt").is_symlink()
        assert (folder / "creds.txt").read_text() == str(secret)
        assert (folder / "alias.py").read_text() == "creds.txt"
    assert workspace.entries["creds.txt"].kind is EntryKind.SYMLINK
    assert workspace.mismatched == {}


def test_a_symlink_in_the_working_tree_is_not_followed(repo: GitRepo, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "credentials"
    secret.parent.mkdir()
    secret.write_text("AKIAIOSFODNN7EXAMPLE\n")
    repo.commit("empty")
    (repo.path / "creds.txt").symlink_to(secret)

    workspace = build(worktree_change(repo), tmp_path)

    assert workspace.revision == WORKING_TREE
    assert files_under(workspace.text) == {"creds.txt": str(secret).encode()}


def test_the_working_tree_is_read_when_the_change_has_no_head(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("app.py", "a = 1\n")
    repo.commit("base")
    repo.write("app.py", "a = 1\nb = 2\n")

    workspace = build(worktree_change(repo), tmp_path)

    assert workspace.revision == WORKING_TREE
    assert files_under(workspace.text) == {"app.py": b"a = 1\nb = 2\n"}
    assert workspace.has_text("app.py")


def test_a_file_that_disagrees_with_its_diff_is_mismatched_and_not_written(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("app.py", "import os\n")
    repo.write("other.py", "x = 1\n")
    repo.commit("base")
    repo.write("app.py", "import os\nprint('shown in the diff')\n")
    repo.write("other.py", "x = 1\ny = 2\n")
    change = worktree_change(repo)
    repo.write("app.py", "import os\nos.system(input())\n")

    workspace = build(change, tmp_path)

    assert workspace.mismatched == {"app.py": "the diff does not match the file (line 2)"}
    assert not workspace.has_text("app.py")
    assert files_under(workspace.raw) == {"other.py": b"x = 1\ny = 2\n"}
    assert files_under(workspace.text) == {"other.py": b"x = 1\ny = 2\n"}
    assert workspace.has_text("other.py")


def test_an_added_line_past_the_end_of_the_file_is_a_mismatch(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "app.py").write_text("x = 1\n")
    diff = b"--- a/app.py\n+++ b/app.py\n@@ -1,1 +1,3 @@\n x = 1\n+y = 2\n+z = 3\n"

    workspace = build(parse_diff(diff, root=str(root)), tmp_path)

    assert workspace.mismatched == {"app.py": "the diff does not match the file (line 2)"}


def test_crlf_lines_match_their_diff(repo: GitRepo, tmp_path: Path) -> None:
    base = repo.commit("empty")
    repo.write("win.py", b"a = 1\r\nb = 2\r\n")
    repo.commit()

    workspace = build(change_of(repo, base), tmp_path)

    assert workspace.mismatched == {}
    assert workspace.line_maps == {}
    assert (workspace.text / "win.py").read_bytes() == b"a = 1\r\nb = 2\r\n"


def test_a_file_over_the_limit_gets_only_its_diff_lines_at_their_numbers(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("big.py", "".join(f"line {n}\n" for n in range(1, 21)))
    repo.write("small.py", "s = 1\n")
    base = repo.commit("base")
    lines = [f"line {n}" for n in range(1, 21)]
    lines[9] = "token = 'AKIAIOSFODNN7EXAMPLE'"
    repo.write("big.py", "\n".join(lines) + "\n")
    repo.write("small.py", "s = 2\n")
    repo.commit()

    workspace = build(change_of(repo, base), tmp_path, max_file_bytes=100)

    shown = [*[""] * 6, *lines[6:13]]
    assert (workspace.text / "big.py").read_text() == "\n".join(shown) + "\n"
    assert not (workspace.raw / "big.py").exists()
    assert workspace.has_text("big.py")
    assert workspace.entries["big.py"].size > 100
    assert files_under(workspace.raw) == {"small.py": b"s = 2\n"}


def test_a_binary_file_keeps_its_base_versions_text_beside_it(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("data.bin", b"\x00old key AKIAOLDOLDOLDOLDOLD1\n")
    repo.write("notes.txt", "n\n")
    base = repo.commit("base")
    repo.write("data.bin", b"\x00new key AKIANEWNEWNEWNEWNEW1\n")
    repo.write("fresh.bin", b"\x00\x01fresh")
    repo.write("notes.txt", "n\nm\n")
    repo.commit()

    workspace = build(change_of(repo, base), tmp_path)

    assert workspace.binary == {"data.bin", "fresh.bin"}
    assert workspace.with_base == {"data.bin"}
    assert files_under(workspace.base) == {"data.bin": b"\x00old key AKIAOLDOLDOLDOLDOLD1\n"}
    assert (workspace.raw / "data.bin").read_bytes() == b"\x00new key AKIANEWNEWNEWNEWNEW1\n"
    assert workspace.has_text("data.bin")
    assert workspace.mismatched == {}


def test_a_renamed_binary_files_base_is_read_from_its_old_path(
    repo: GitRepo, tmp_path: Path
) -> None:
    body = bytes(range(256)) * 8
    repo.write("old/blob.bin", body)
    base = repo.commit("base")
    (repo.path / "new").mkdir()
    repo.git("mv", "old/blob.bin", "new/blob.bin")
    repo.write("new/blob.bin", body + b"tail")
    repo.commit()
    change = change_of(repo, base)

    workspace = build(change, tmp_path)

    assert [(f.path, f.old_path) for f in change.files] == [("new/blob.bin", "old/blob.bin")]
    assert workspace.with_base == {"new/blob.bin"}
    assert files_under(workspace.base) == {"new/blob.bin": body.decode("latin-1").encode()}


def test_a_utf16_file_is_binary_but_its_text_copy_is_readable(
    repo: GitRepo, tmp_path: Path
) -> None:
    base = repo.commit("empty")
    repo.write("settings.ini", "\ufeffpassword = hunter2\r\n".encode("utf-16-le"))
    repo.commit()

    workspace = build(change_of(repo, base), tmp_path)

    assert workspace.binary == {"settings.ini"}
    assert (workspace.text / "settings.ini").read_bytes() == b"password = hunter2\r\n"


def test_a_binary_file_of_a_diff_file_has_no_base(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("data.bin", b"\x00old")
    repo.commit("base")
    repo.write("data.bin", b"\x00new")

    workspace = build(worktree_change(repo), tmp_path)

    assert workspace.binary == {"data.bin"}
    assert workspace.with_base == frozenset()
    assert not workspace.base.exists()


def test_trusted_tool_configuration_is_written_under_config(repo: GitRepo, tmp_path: Path) -> None:
    base = repo.commit("empty")
    repo.write("ruff.toml", "lint.select = []\n")
    repo.write("app.py", "import os\n")
    repo.commit()
    trusted = {"pyproject.toml": "[tool.ruff]\nextend = 'cfg/ruff.toml'\n", "cfg/ruff.toml": ""}

    workspace = build(change_of(repo, base), tmp_path, tool_configs=trusted)

    assert files_under(workspace.config) == {
        "pyproject.toml": b"[tool.ruff]\nextend = 'cfg/ruff.toml'\n",
        "cfg/ruff.toml": b"",
    }
    assert (workspace.text / "ruff.toml").read_text() == "lint.select = []\n"


@pytest.mark.parametrize(
    ("content", "git_lines"),
    [
        (b"a = 1\rb = 2\rc = 3\n", {1: 1, 2: 1, 3: 1}),
        (b"x = 1\ny = 2\rz = 3\r\nw = 4\n", {1: 1, 2: 2, 3: 2, 4: 3}),
    ],
    ids=["cr-only", "mixed"],
)
def test_a_bare_cr_file_maps_the_tools_lines_to_gits(
    repo: GitRepo, tmp_path: Path, content: bytes, git_lines: dict[int, int]
) -> None:
    base = repo.commit("empty")
    repo.write("odd.py", content)
    repo.write("plain.py", "p = 1\n")
    repo.commit()

    workspace = build(change_of(repo, base), tmp_path)

    assert sorted(workspace.line_maps) == ["odd.py"]
    assert {n: workspace.git_line("odd.py", n) for n in git_lines} == git_lines
    assert workspace.git_line("plain.py", 7) == 7
    assert workspace.mismatched == {}


def test_a_file_missing_from_the_checkout_has_no_text(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    diff = b"--- a/app.py\n+++ b/app.py\n@@ -0,0 +1,1 @@\n+x = 1\n"

    workspace = build(parse_diff(diff, root=str(root)), tmp_path)

    assert workspace.entries["app.py"].kind is EntryKind.MISSING
    assert not workspace.has_text("app.py")
    assert files_under(workspace.folder) == {}
