"""For any two revisions of a file, the parsed diff agrees with the file and with `git blame`.

Random old and new contents (lines from a small alphabet so edits overlap, lines that look
like diff syntax, CRLF endings, a missing final newline, bytes that are not UTF-8, awkward
paths) are committed to a real repository; the change `git_diff` + `parse_diff` reports must
number every shown line as the new file does, and call added exactly the lines that
`git blame` attributes to the second commit.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baton.change.parse import parse_diff
from baton.change.source import git_diff
from tests.fakes.repos import GIT_ENV, GitRepo

TEXTS = [b"a", b"b", b"c", b"", b"  x", b"-- d", b"++ e", b"@@ f", b"\\ g", b"diff --git a/x b/x"]
ODD_BYTES = [b"caf\xe9", b"\xff\xfe"]
PATHS = ["f.txt", "with space.txt", "dir x/a b.txt", "café.txt", 'q"uote.txt', "tab\there.txt"]
BLAME_HEADER = re.compile(rb"^([0-9a-f]{40}) \d+ (\d+)")


@st.composite
def contents(draw: st.DrawFn) -> bytes:
    texts = draw(st.lists(st.sampled_from(TEXTS * 6 + ODD_BYTES), max_size=14))
    endings = draw(
        st.lists(st.sampled_from([b"\n", b"\n", b"\r\n"]), min_size=len(texts), max_size=len(texts))
    )
    data = b"".join(text + ending for text, ending in zip(texts, endings, strict=True))
    if data and draw(st.booleans()):
        data = data.removesuffix(b"\r\n").removesuffix(b"\n")
    return data


def file_lines(data: bytes) -> list[str]:
    """The file's lines as `ChangedFile.lines` holds them: UTF-8 with replacement, no ending."""
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    return [part.decode("utf-8", "replace").removesuffix("\r") for part in parts]


def blamed_to(repo: GitRepo, commit: str, path: str) -> set[int]:
    """New-file line numbers that `git blame` says `commit` introduced."""
    out = subprocess.run(
        ["git", "blame", "--porcelain", "HEAD", "--", path],
        cwd=repo.path,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        check=True,
    ).stdout
    lines = set()
    for row in out.split(b"\n"):
        match = BLAME_HEADER.match(row)
        if match and match.group(1).decode() == commit:
            lines.add(int(match.group(2)))
    return lines


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    old=st.none() | contents(),
    new=contents(),
    path=st.sampled_from(PATHS),
)
def test_parsed_lines_match_the_file_and_git_blame(
    old: bytes | None, new: bytes, path: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo")
        if old is not None:
            repo.write(path, old)
        base = repo.commit("old")
        repo.write(path, new)
        second = repo.commit("new")

        raw, _, _ = git_diff(repo.path, base)
        change = parse_diff(raw, root=str(repo.path))
        expected = file_lines(new)
        blamed = blamed_to(repo, second, path)

    files = change.by_path()
    if old == new:
        assert files == {}
        assert blamed == set()
        return
    assert list(files) == [path]
    file = files[path]
    assert file.added_lines == blamed
    assert file.added_lines <= set(file.lines)
    assert all(1 <= n <= len(expected) for n in file.lines)
    assert {n: file.lines[n] for n in file.lines} == {n: expected[n - 1] for n in file.lines}
