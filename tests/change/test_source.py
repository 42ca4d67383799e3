"""Getting the change from real git repositories and from diff files."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from baton.change.model import FileStatus
from baton.change.parse import parse_diff
from baton.change.source import (
    default_base,
    find_repo_root,
    git_diff,
    load_change,
    read_diff_file,
)
from baton.errors import IncompleteReviewError, UsageError
from tests.fakes.repos import GitRepo


def feature_repo(repo: GitRepo) -> tuple[str, str]:
    """main: base → after; feature (checked out): base → work. Returns (base, after) SHAs."""
    repo.write("app.py", "a = 1\n")
    base = repo.commit("base")
    repo.branch("feature")
    repo.write("app.py", "a = 1\nb = 2\n")
    repo.commit("work")
    repo.checkout("main")
    repo.write("main_only.py", "m = 1\n")
    after = repo.commit("after branching")
    repo.checkout("feature")
    return base, after


def test_find_repo_root_from_a_subdirectory(repo: GitRepo) -> None:
    repo.write("pkg/sub/mod.py", "x = 1\n")
    repo.commit()

    assert find_repo_root(repo.path / "pkg" / "sub") == repo.path.resolve()
    assert find_repo_root(repo.path / "pkg" / "sub" / "mod.py") == repo.path.resolve()


def test_find_repo_root_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()

    with pytest.raises(UsageError, match="is not inside a git repository"):
        find_repo_root(tmp_path / "plain")
    with pytest.raises(UsageError, match="does not exist"):
        find_repo_root(tmp_path / "nowhere")


def test_default_base_prefers_origin_main_over_local_main(repo: GitRepo) -> None:
    sha = repo.commit("first")
    assert default_base(repo.path) == "main"

    repo.git("update-ref", "refs/remotes/origin/main", sha)
    assert default_base(repo.path) == "origin/main"


def test_default_base_follows_origin_head(repo: GitRepo) -> None:
    sha = repo.commit("first")
    repo.git("update-ref", "refs/remotes/origin/trunk", sha)
    repo.git("update-ref", "refs/remotes/origin/main", sha)
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")

    assert default_base(repo.path) == "origin/trunk"


def test_default_base_falls_back_to_master(repo: GitRepo) -> None:
    repo.commit("first")
    repo.git("branch", "-m", "main", "master")

    assert default_base(repo.path) == "master"


def test_no_default_base_is_a_usage_error(repo: GitRepo) -> None:
    repo.commit("first")
    repo.git("branch", "-m", "main", "topic")

    with pytest.raises(UsageError) as caught:
        default_base(repo.path)

    assert str(caught.value) == "no base to compare with: pass --base REF"


def test_git_diff_compares_with_the_merge_base(repo: GitRepo) -> None:
    base, after = feature_repo(repo)

    raw, merge_base, head = git_diff(repo.path, "main")
    change = parse_diff(raw, root=str(repo.path))

    assert (merge_base, head) == (base, repo.head())
    assert [f.path for f in change.files] == ["app.py"]  # main_only.py is not in the review
    assert change.files[0].added_lines == frozenset({2})
    assert merge_base != after


def test_git_diff_with_an_explicit_head(repo: GitRepo) -> None:
    base, _ = feature_repo(repo)
    repo.checkout("main")

    raw, merge_base, head = git_diff(repo.path, "main", "feature")

    assert merge_base == base
    assert head == repo.git("rev-parse", "feature")
    assert [f.path for f in parse_diff(raw, root=".").files] == ["app.py"]


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=/tmp/x", "HEAD~99"])
def test_unknown_ref_is_a_usage_error_naming_it(repo: GitRepo, ref: str) -> None:
    repo.commit("first")

    with pytest.raises(UsageError) as caught:
        git_diff(repo.path, ref)

    assert ref in str(caught.value)
    with pytest.raises(UsageError, match="unknown git ref: 'nope'"):
        git_diff(repo.path, "main", "nope")


def test_unknown_remote_ref_suggests_fetching_it(repo: GitRepo) -> None:
    repo.commit("first")

    with pytest.raises(UsageError, match=r"unknown git ref: 'origin/main' \(is it fetched\?"):
        git_diff(repo.path, "origin/main")


def test_unrelated_histories_are_a_usage_error(repo: GitRepo) -> None:
    repo.write("a.py", "a\n")
    repo.commit("main root")
    repo.git("checkout", "-q", "--orphan", "other")
    repo.write("b.py", "b\n")
    repo.commit("other root")

    with pytest.raises(UsageError, match=r"main and HEAD have no common ancestor$"):
        git_diff(repo.path, "main")


def test_shallow_clone_without_the_merge_base_says_so(repo: GitRepo, tmp_path: Path) -> None:
    feature_repo(repo)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-single-branch", repo.path.as_uri(), clone],
        check=True,
        capture_output=True,
    )

    with pytest.raises(UsageError, match="shallow"):
        git_diff(clone, "origin/main", "origin/feature")


def test_unreadable_objects_make_the_review_incomplete(repo: GitRepo) -> None:
    repo.write("a.py", "a\n")
    base = repo.commit("base")
    repo.write("a.py", "a\nsecret sauce\n")
    repo.commit("edit")
    blob = repo.git("rev-parse", "HEAD:a.py")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()

    with pytest.raises(IncompleteReviewError, match="git diff failed"):
        git_diff(repo.path, base)


def test_user_git_config_cannot_change_what_is_parsed(repo: GitRepo) -> None:
    repo.write("café dir/x.py", "1\n")
    base = repo.commit("base")
    repo.write("café dir/x.py", "1\n\n2\n")
    repo.commit("edit")
    expected = parse_diff(git_diff(repo.path, base)[0], root=".")
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("core.quotePath", "false"),
        ("diff.relative", "true"),
        ("diff.suppressBlankEmpty", "true"),
        ("diff.external", "false"),
        ("diff.renames", "false"),
    ]:
        repo.git("config", key, value)

    raw, _, _ = git_diff(repo.path, base)
    change = parse_diff(raw, root=".")

    assert change.files == expected.files
    assert change.files[0].path == "café dir/x.py"
    assert change.files[0].lines == {1: "1", 2: "", 3: "2"}


def test_read_diff_file_from_a_path_and_from_stdin(tmp_path: Path) -> None:
    (tmp_path / "change.diff").write_bytes(b"diff bytes\r\n\xff")

    assert read_diff_file(str(tmp_path / "change.diff"), io.BytesIO()) == b"diff bytes\r\n\xff"
    assert read_diff_file("-", io.BytesIO(b"from stdin")) == b"from stdin"


@pytest.mark.parametrize("name", ["missing.diff", "a-directory"])
def test_unreadable_diff_file_is_a_usage_error_naming_it(tmp_path: Path, name: str) -> None:
    (tmp_path / "a-directory").mkdir()

    with pytest.raises(UsageError) as caught:
        read_diff_file(str(tmp_path / name), io.BytesIO())

    assert name in str(caught.value)
    assert str(caught.value).startswith("cannot read the diff file")


@pytest.mark.parametrize("attributes", ["*.py -diff\n", "*.py binary\n", "* diff=secret\n"])
def test_the_changes_own_gitattributes_cannot_make_its_files_binary(
    repo: GitRepo, attributes: str
) -> None:
    repo.write("app.py", "a = 1\n")
    base = repo.commit("base")
    repo.write(".gitattributes", attributes)
    repo.write("app.py", "a = 1\nKEY = 'AKIAZ3MHQX7TQ2VJ5K4P'\n")
    repo.commit("hide the key")

    raw, _, _ = git_diff(repo.path, base)

    app = parse_diff(raw, root=str(repo.path)).by_path()["app.py"]
    assert not app.binary
    assert app.lines[2] == "KEY = 'AKIAZ3MHQX7TQ2VJ5K4P'"


def test_load_change_from_git(repo: GitRepo) -> None:
    base, _ = feature_repo(repo)

    change = load_change(start=repo.path, base="main")

    assert (change.root, change.base, change.head) == (
        str(repo.path.resolve()),
        base,
        repo.head(),
    )
    assert [(f.path, f.status) for f in change.files] == [("app.py", FileStatus.MODIFIED)]


def test_load_change_picks_the_default_base(repo: GitRepo) -> None:
    base, _ = feature_repo(repo)

    assert load_change(start=repo.path).base == base


def test_load_change_from_a_diff_file_inside_and_outside_a_repository(
    repo: GitRepo, tmp_path: Path
) -> None:
    base, _ = feature_repo(repo)
    raw, _, _ = git_diff(repo.path, base)
    diff_file = tmp_path / "change.diff"
    diff_file.write_bytes(raw)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    inside = load_change(start=repo.path, diff=str(diff_file))
    outside = load_change(start=elsewhere, diff="-", stdin=io.BytesIO(raw))

    assert inside.root == str(repo.path.resolve())
    assert outside.root == str(elsewhere)
    assert inside.files == outside.files
    assert (inside.base, inside.head) == (None, None)


def test_load_change_from_a_diff_file_uses_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    change = load_change(diff="-", stdin=io.BytesIO(b""))

    assert (change.root, change.files) == (os.getcwd(), ())


def test_load_change_rejects_a_diff_file_with_refs(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot be combined"):
        load_change(start=tmp_path, base="main", diff="-", stdin=io.BytesIO(b""))
    with pytest.raises(UsageError, match="is not a directory"):
        load_change(start=tmp_path / "nowhere", diff="-", stdin=io.BytesIO(b""))
