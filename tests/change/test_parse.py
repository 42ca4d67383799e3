"""`parse_diff` over diffs printed by real git: names, kinds of change, line numbers, texts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.change.parse import parse_diff
from baton.change.source import git_diff
from baton.errors import IncompleteReviewError, UsageError
from tests.fakes.repos import GitRepo


def change_of(repo: GitRepo, base: str) -> ChangeSet:
    raw, base_sha, head_sha = git_diff(repo.path, base)
    return parse_diff(raw, root=str(repo.path), base=base_sha, head=head_sha)


def only(change: ChangeSet) -> ChangedFile:
    assert len(change.files) == 1, [f.path for f in change.files]
    return change.files[0]


def move(repo: GitRepo, source: str, target: str) -> None:
    (repo.path / target).parent.mkdir(parents=True, exist_ok=True)
    repo.git("mv", source, target)


def added(file: ChangedFile) -> dict[int, str]:
    return {n: file.lines[n] for n in sorted(file.added_lines)}


def test_modified_file_has_exact_added_numbers_texts_and_context(repo: GitRepo) -> None:
    old = "".join(f"line {n}\n" for n in range(1, 21))
    repo.write("src/app.py", old)
    base = repo.commit("base")
    new = old.replace("line 3\n", "line 3\nnew A\n").replace("line 18\n", "changed 18\n")
    repo.write("src/app.py", new)
    repo.commit("edit")

    change = change_of(repo, base)
    file = only(change)

    assert (file.path, file.status, file.old_path) == ("src/app.py", FileStatus.MODIFIED, None)
    assert added(file) == {4: "new A", 19: "changed 18"}
    assert change.added_count == 2
    assert [(h.new_start, h.new_count, h.added) for h in file.hunks] == [
        (1, 7, (4,)),
        (16, 6, (19,)),
    ]
    assert file.hunks[1].removed == (18,)
    new_lines = new.splitlines()
    assert all(file.lines[n] == new_lines[n - 1] for n in file.lines)
    assert file.is_shown(1) and not file.is_added(1) and not file.is_shown(10)
    assert file.hunk_for(19) is file.hunks[1] and file.hunk_for(10) is None
    assert change.base == base and change.head == repo.head()


def test_new_file_has_every_line_added(repo: GitRepo) -> None:
    base = repo.commit("empty")
    repo.write("pkg/new.py", "a = 1\nb = 2\n")
    repo.commit("add")

    file = only(change_of(repo, base))

    assert (file.path, file.status) == ("pkg/new.py", FileStatus.ADDED)
    assert added(file) == {1: "a = 1", 2: "b = 2"}


def test_empty_new_file_is_added_without_lines(repo: GitRepo) -> None:
    base = repo.commit("empty")
    repo.write("empty.py", "")
    repo.commit("add")

    file = only(change_of(repo, base))

    assert (file.path, file.status, file.lines, file.added_lines) == (
        "empty.py",
        FileStatus.ADDED,
        {},
        frozenset(),
    )


def test_deleted_file_keeps_its_old_path_and_has_no_lines(repo: GitRepo) -> None:
    repo.write("gone.py", "x = 1\ny = 2\n")
    repo.write("keep.py", "k = 1\n")
    base = repo.commit("base")
    repo.remove("gone.py")
    repo.commit("delete")

    file = only(change_of(repo, base))

    assert (file.path, file.status, file.old_path) == ("gone.py", FileStatus.DELETED, None)
    assert file.lines == {} and file.added_lines == frozenset()


def test_pure_rename_has_old_path_and_nothing_added(repo: GitRepo) -> None:
    repo.write("old/name.py", "".join(f"v{n} = {n}\n" for n in range(30)))
    base = repo.commit("base")
    move(repo, "old/name.py", "new/name.py")
    repo.commit("move")

    file = only(change_of(repo, base))

    assert (file.path, file.old_path, file.status) == (
        "new/name.py",
        "old/name.py",
        FileStatus.RENAMED,
    )
    assert file.hunks == () and file.added_lines == frozenset()


def test_rename_with_edit_numbers_lines_in_the_new_file(repo: GitRepo) -> None:
    body = "".join(f"v{n} = {n}\n" for n in range(30))
    repo.write("a.py", body)
    base = repo.commit("base")
    move(repo, "a.py", "b.py")
    repo.write("b.py", body.replace("v10 = 10\n", "v10 = 'ten'\n"))
    repo.commit("move and edit")

    file = only(change_of(repo, base))

    assert (file.path, file.old_path, file.status) == ("b.py", "a.py", FileStatus.RENAMED)
    assert added(file) == {11: "v10 = 'ten'"}


def test_copy_reported_by_git_is_a_copied_file(repo: GitRepo) -> None:
    body = "".join(f"row {n}\n" for n in range(40))
    repo.write("orig.txt", body)
    base = repo.commit("base")
    repo.write("copy.txt", body + "extra\n")
    repo.commit("copy")
    raw = repo.git("diff", "-C", "--find-copies-harder", base, "HEAD").encode() + b"\n"

    file = only(parse_diff(raw, root=str(repo.path)))

    assert (file.path, file.old_path, file.status) == ("copy.txt", "orig.txt", FileStatus.COPIED)
    assert added(file) == {41: "extra"}


@pytest.mark.parametrize("binary_flag", [False, True], ids=["binary-files-differ", "git-binary"])
def test_binary_files_are_marked_binary_with_no_lines(repo: GitRepo, binary_flag: bool) -> None:
    repo.write("img.png", b"\x89PNG\x00\x01\x02")
    base = repo.commit("base")
    repo.write("img.png", b"\x89PNG\x00\x03\x04")
    repo.write("new.bin", b"\x00\xff\x00")
    repo.commit("binary")
    args = ["diff", "--binary"] if binary_flag else ["diff"]
    raw = subprocess.run(
        ["git", *args, base, "HEAD"], cwd=repo.path, capture_output=True, check=True
    ).stdout
    assert (b"GIT binary patch" in raw) is binary_flag

    files = parse_diff(raw, root=str(repo.path)).by_path()

    assert [(f.status, f.binary, f.lines) for f in files.values()] == [
        (FileStatus.MODIFIED, True, {}),
        (FileStatus.ADDED, True, {}),
    ]
    assert list(files) == ["img.png", "new.bin"]


def test_mode_only_change_is_flagged_and_mode_with_edit_is_not(repo: GitRepo) -> None:
    repo.write("run.sh", "echo hi\n")
    repo.write("tool.sh", "echo a\n")
    base = repo.commit("base")
    (repo.path / "run.sh").chmod(0o755)
    (repo.path / "tool.sh").chmod(0o755)
    repo.write("tool.sh", "echo a\necho b\n")
    repo.commit("chmod")

    files = change_of(repo, base).by_path()

    assert (files["run.sh"].mode_only, files["run.sh"].status) == (True, FileStatus.MODIFIED)
    assert files["run.sh"].lines == {}
    assert files["tool.sh"].mode_only is False
    assert added(files["tool.sh"]) == {2: "echo b"}


def test_no_newline_at_end_of_file_on_either_side(repo: GitRepo) -> None:
    repo.write("a.txt", "one\ntwo")
    base = repo.commit("base")
    repo.write("a.txt", "one\ntwo\nthree")
    repo.commit("append")

    file = only(change_of(repo, base))

    assert added(file) == {2: "two", 3: "three"}
    assert file.lines == {1: "one", 2: "two", 3: "three"}


def test_crlf_lines_lose_the_carriage_return_but_keep_their_numbers(repo: GitRepo) -> None:
    repo.write("win.txt", b"a\r\nb\r\nc\r\n")
    base = repo.commit("base")
    repo.write("win.txt", b"a\r\nB\r\nc\r\nd\r\ne")
    repo.commit("edit")

    file = only(change_of(repo, base))

    assert added(file) == {2: "B", 4: "d", 5: "e"}
    assert file.lines[3] == "c"


def test_a_diff_file_saved_with_crlf_line_endings_parses_the_same(repo: GitRepo) -> None:
    repo.write("m.py", "x = 1\n")
    base = repo.commit("base")
    repo.write("m.py", "x = 1\ny = 2\n")
    repo.write("n m.py", "z = 3\n")
    repo.commit("edit")
    raw, _, _ = git_diff(repo.path, base)

    lf = parse_diff(raw, root=".")
    crlf = parse_diff(raw.replace(b"\n", b"\r\n"), root=".")

    assert crlf.files == lf.files
    assert [f.path for f in crlf.files] == ["m.py", "n m.py"]


def test_bytes_that_are_not_utf8_become_replacement_characters(repo: GitRepo) -> None:
    repo.write("latin.txt", b"caf\xe9\n")
    base = repo.commit("base")
    repo.write("latin.txt", b"caf\xe9\nna\xefve \xff\xfe\n")
    repo.commit("edit")

    file = only(change_of(repo, base))

    assert file.lines == {1: "caf\ufffd", 2: "na\ufffdve \ufffd\ufffd"}
    assert file.model_dump_json()  # printable and serializable


@pytest.mark.parametrize("quote_path", ["true", "false"])
@pytest.mark.parametrize(
    "path",
    [
        "my file.py",
        "a b/x y.py",
        "a b/b c",
        "café/naïve.py",
        'say "hi".py',
        "tab\there.py",
        "back\\slash.py",
        "日本語.py",
    ],
)
def test_unusual_paths_come_out_as_written(repo: GitRepo, path: str, quote_path: str) -> None:
    repo.write(path, "one\n")
    repo.write("gone me.txt", "bye\n")
    repo.write("mode me.sh", "m\n")
    base = repo.commit("base")
    repo.write(path, "one\ntwo\n")
    repo.write(f"{path}.new", "fresh\n")
    repo.remove("gone me.txt")
    (repo.path / "mode me.sh").chmod(0o755)
    repo.commit("edit")
    raw = subprocess.run(
        ["git", "-c", f"core.quotePath={quote_path}", "diff", base, "HEAD"],
        cwd=repo.path,
        capture_output=True,
        check=True,
    ).stdout

    files = parse_diff(raw, root=str(repo.path)).by_path()

    assert set(files) == {path, f"{path}.new", "gone me.txt", "mode me.sh"}
    assert added(files[path]) == {2: "two"}
    assert files[f"{path}.new"].status is FileStatus.ADDED
    assert files["gone me.txt"].status is FileStatus.DELETED
    assert files["mode me.sh"].mode_only


def test_renames_between_unusual_paths(repo: GitRepo) -> None:
    repo.write("dir a/b c.py", "".join(f"n{n}\n" for n in range(20)))
    repo.write("plain.py", "".join(f"p{n}\n" for n in range(20)))
    base = repo.commit("base")
    move(repo, "dir a/b c.py", "dir b/ä b.py")
    move(repo, "plain.py", "sp ace/plain.py")
    repo.commit("move")

    files = change_of(repo, base).by_path()

    assert {p: (f.old_path, f.status) for p, f in files.items()} == {
        "dir b/ä b.py": ("dir a/b c.py", FileStatus.RENAMED),
        "sp ace/plain.py": ("plain.py", FileStatus.RENAMED),
    }


def test_content_lines_that_look_like_headers_stay_content(repo: GitRepo) -> None:
    repo.write("tricky.txt", "-- removed\nkeep\n")
    base = repo.commit("base")
    repo.write("tricky.txt", "keep\n++ added\ndiff --git a/x b/x\n@@ -1 +1 @@\n")
    repo.commit("edit")

    file = only(change_of(repo, base))

    assert added(file) == {2: "++ added", 3: "diff --git a/x b/x", 4: "@@ -1 +1 @@"}
    assert file.hunks[0].removed == (1,)


def test_user_diff_without_prefixes_and_with_mnemonic_prefixes(repo: GitRepo) -> None:
    repo.write("a/x.py", "1\n")
    base = repo.commit("base")
    repo.write("a/x.py", "1\n2\n")
    repo.write("b/y.py", "y\n")
    repo.commit("edit")

    for config in ("diff.noprefix=true", "diff.mnemonicPrefix=true"):
        raw = subprocess.run(
            ["git", "-c", config, "diff", base, "HEAD"],
            cwd=repo.path,
            capture_output=True,
            check=True,
        ).stdout
        files = parse_diff(raw, root=".").by_path()
        assert set(files) in ({"a/x.py", "b/y.py"}, {"x.py", "y.py"}), config
    raw = subprocess.run(
        ["git", "-c", "diff.mnemonicPrefix=true", "diff", base],
        cwd=repo.path,
        capture_output=True,
        check=True,
    ).stdout
    assert b"--- c/a/x.py" in raw
    assert set(parse_diff(raw, root=".").by_path()) == {"a/x.py", "b/y.py"}


def test_format_patch_output_with_mail_headers_parses(repo: GitRepo) -> None:
    repo.write("m.py", "x = 1\n")
    repo.commit("base")
    repo.write("m.py", "x = 1\nx = 2\n")
    repo.commit("second")
    raw = subprocess.run(
        ["git", "format-patch", "--stdout", "-1"], cwd=repo.path, capture_output=True, check=True
    ).stdout

    assert added(only(parse_diff(raw, root="."))) == {2: "x = 2"}


def test_plain_diff_u_output_is_read_too(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "f.txt").write_text("a\nb\n")
    (tmp_path / "new" / "f.txt").write_text("a\nB\nc\n")
    (tmp_path / "new" / "g.txt").write_text("g\n")
    done = subprocess.run(
        ["diff", "-ruN", "old", "new"], cwd=tmp_path, capture_output=True, check=False
    )
    assert done.returncode == 1  # the trees differ
    raw = done.stdout

    files = parse_diff(raw, root=str(tmp_path)).files

    assert [(f.path, f.status) for f in files] == [
        ("new/f.txt", FileStatus.MODIFIED),
        ("new/g.txt", FileStatus.ADDED),
    ]
    assert added(files[0]) == {2: "B", 3: "c"}


def test_hand_written_quoted_names_with_every_escape() -> None:
    quoted = b'"b/t\\tb\\\\c\\"d\\303\\251\\8"'
    other = quoted[:-1] + b'x"'
    raw = (
        b"diff --git " + quoted.replace(b'"b/', b'"a/') + b" " + quoted + b"\n"
        b"new file mode 100644\n--- /dev/null\n+++ " + quoted + b"\n@@ -0,0 +1 @@\n+x\n"
        b"diff --git " + other.replace(b'"b/', b'"a/') + b" " + other + b"\n"
        b"old mode 100644\nnew mode 100755\n"
    )

    files = parse_diff(raw, root=".").files

    assert [(f.path, f.status, f.mode_only) for f in files] == [
        ('t\tb\\c"d\u00e98', FileStatus.ADDED, False),
        ('t\tb\\c"d\u00e98x', FileStatus.MODIFIED, True),
    ]


@pytest.mark.parametrize("raw", [b"", b"\n\n", b"   \n"])
def test_empty_diff_has_no_files(raw: bytes) -> None:
    change = parse_diff(raw, root="/x", base="b", head="h")

    assert (change.files, change.root, change.base, change.head) == ((), "/x", "b", "h")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"hello, this is not a diff\n", "not a unified diff"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a unified diff"),
        (b"\x1b[1mdiff --git a/x b/x\x1b[m\n", "color codes"),
        (b"diff --git x\nold mode 100644\nnew mode 100755\n", "cannot read the names"),
        (b"diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@\n x\n", "x.py"),
        (b"diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n?what\n", "x.py"),
    ],
)
def test_garbage_is_a_one_line_usage_error(raw: bytes, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_diff(raw, root=".")

    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_large_diff_parses_completely(repo: GitRepo) -> None:
    base = repo.commit("empty")
    for n in range(500):
        repo.write(f"pkg{n % 10}/mod_{n}.py", "".join(f"value_{i} = {i}\n" for i in range(100)))
    repo.commit("big")
    raw, _, _ = git_diff(repo.path, base)

    change = parse_diff(raw, root=str(repo.path))

    assert (len(change.files), change.added_count) == (500, 50_000)
    assert all(f.lines[100] == "value_99 = 99" for f in change.files)


@pytest.mark.parametrize(
    "header",
    [
        b"+++ b/../outside/x.py",
        b"+++ b/../../etc/passwd",
        b"+++ b//etc/passwd",
        b"+++ /etc/passwd",
        b"+++ b/app/../../x.py",
        b"+++ b/.git/config",
        b"+++ b/app/./x.py",
        b'+++ "b/\\056\\056/x.py"',
    ],
)
def test_a_path_outside_the_repository_is_refused(header: bytes) -> None:
    raw = b"--- /dev/null\n" + header + b"\n@@ -0,0 +1 @@\n+x\n"
    with pytest.raises(UsageError, match="names a path outside the repository"):
        parse_diff(raw, root=".")
    git_style = b"diff --git a/x b/x\nnew file mode 100644\n" + raw
    with pytest.raises(UsageError, match="names a path outside the repository"):
        parse_diff(git_style, root=".")


@pytest.mark.parametrize("git_style", [True, False], ids=["git", "plain"])
def test_added_lines_past_the_hunk_count_are_refused_not_dropped(git_style: bool) -> None:
    head = b"diff --git a/x.py b/x.py\nnew file mode 100644\n" if git_style else b""
    raw = head + (
        b"--- /dev/null\n+++ b/x.py\n@@ -0,0 +1,1 @@\n+a = 1\n+import os\n+os.system(input())\n"
    )
    with pytest.raises(UsageError, match="an added line past the count of its hunk header"):
        parse_diff(raw, root=".")


def test_a_second_file_and_a_format_patch_signature_follow_a_full_hunk() -> None:
    raw = (
        b"--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
        b"--- a/y.py\n+++ b/y.py\n@@ -1 +1,2 @@\n c\n+d\n"
        b"-- \n2.39.5\n"
    )
    files = parse_diff(raw, root=".").files
    assert [(f.path, sorted(f.added_lines)) for f in files] == [("x.py", [1]), ("y.py", [2])]


def test_two_names_that_decode_alike_cannot_be_told_apart() -> None:
    def section(name: bytes) -> bytes:
        quoted = b'"b/' + name + b'"'
        return (
            b'diff --git "a/' + name + b'" ' + quoted + b"\nnew file mode 100644\n"
            b"--- /dev/null\n+++ " + quoted + b"\n@@ -0,0 +1 @@\n+x\n"
        )

    raw = section(b"caf\\351.py") + section(b"caf\\350.py")
    with pytest.raises(IncompleteReviewError, match="cannot tell them apart"):
        parse_diff(raw, root=".")
