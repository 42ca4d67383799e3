"""Cutting the diff into token-budgeted chunks, and how a model sees each hunk."""

from __future__ import annotations

from pathlib import Path

from baton.agents.claude.chunks import estimate_tokens, render_hunk, split_into_chunks
from baton.change.parse import parse_diff
from baton.change.source import git_diff
from tests.fakes.repos import GitRepo


def test_hunk_shows_new_line_numbers_and_removed_text(repo: GitRepo) -> None:
    repo.write("a.py", "one\ntwo\nthree\nfour\n")
    base = repo.commit("base")
    repo.write("a.py", "one\nTWO\nthree\nfour\nfive\n")
    repo.commit("edit")
    raw, _, _ = git_diff(repo.path, base)
    [file] = parse_diff(raw, root=str(repo.path)).files
    text = render_hunk(file, file.hunks[0])
    assert text.splitlines() == [
        "@@ -1,4 +1,5 @@",
        " 1\tone",
        "-\ttwo",
        "+2\tTWO",
        " 3\tthree",
        " 4\tfour",
        "+5\tfive",
    ]


def _change(repo: GitRepo, files: dict[str, str]) -> list:  # type: ignore[type-arg]
    base = repo.commit("base")
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("change")
    raw, _, _ = git_diff(repo.path, base)
    return list(parse_diff(raw, root=str(repo.path)).files)


def test_files_are_packed_under_the_budget_and_none_is_lost(repo: GitRepo) -> None:
    body = "".join(f"value_{i} = {i} * 2  # some words to fill the line\n" for i in range(60))
    files = _change(repo, {f"m{i}.py": body for i in range(6)})
    chunks, skipped = split_into_chunks(files, budget=2_000)
    assert skipped == []
    assert len(chunks) >= 3
    assert all(c.tokens <= 2_000 for c in chunks)
    assert sorted(p for c in chunks for p in c.paths) == sorted(f.path for f in files)


def test_a_large_file_is_split_between_hunks_and_a_huge_hunk_skipped(repo: GitRepo) -> None:
    lines = [f"line_{i} = {i}\n" for i in range(400)]
    repo.write("big.py", "".join(lines))
    repo.write("huge.py", "x = 0\n")
    base = repo.commit("base")
    for i in (10, 200, 390):
        lines[i] = f"line_{i} = 'changed'\n"
    repo.write("big.py", "".join(lines))
    repo.write("huge.py", "".join(f"h_{i} = '{'y' * 60}'\n" for i in range(600)))
    repo.commit("change")
    raw, _, _ = git_diff(repo.path, base)
    files = parse_diff(raw, root=str(repo.path)).files
    hunk_sizes = [estimate_tokens(render_hunk(files[0], h)) for h in files[0].hunks]
    budget = max(hunk_sizes) + 20  # each hunk fits, the whole file does not

    chunks, skipped = split_into_chunks(files, budget=budget)

    assert [s.path for s in skipped] == ["huge.py"]
    assert "exceeds chunk_tokens" in skipped[0].reason
    big_parts = [c for c in chunks if "big.py" in c.paths]
    assert len(big_parts) >= 2
    assert any("(part 1 of 3)" in c.text for c in big_parts)
    assert all(c.tokens <= budget for c in chunks)


def test_no_root_needed_for_rendering(tmp_path: Path) -> None:
    assert split_into_chunks([], budget=2_000) == ([], [])
