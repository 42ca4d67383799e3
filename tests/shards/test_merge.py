"""`baton review --shard K/N` then `baton merge`: the same findings, coverage and verdict as
one review of the whole change, and a merge that is never a partial pass.

Every run is the real `baton` command on a real repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.baton_cli import run_baton
from tests.fakes.repos import GitRepo

AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"
SHARDS = 3


def module(index: int) -> str:
    body = "\n".join(f"    total += {n}" for n in range(index * 4 + 2))
    return f"def work{index}(total):\n{body}\n    return total\n"


def cobertura(files: dict[str, str]) -> str:
    """Every line of every module measured, the last one of each not covered: 95% of the
    whole change, below 80% in a shard that holds only the smallest module."""
    classes = []
    for path, text in files.items():
        count = len(text.splitlines())
        lines = "".join(
            f'<line number="{n}" hits="{int(n < count)}"/>' for n in range(1, count + 1)
        )
        classes.append(f'<class name="{path}" filename="{path}"><lines>{lines}</lines></class>')
    return (
        '<?xml version="1.0"?><coverage version="7"><packages><package name=".">'
        f"<classes>{''.join(classes)}</classes></package></packages></coverage>"
    )


def make_change(repo: GitRepo, *, secret: bool) -> None:
    repo.write("app/__init__.py", "")
    repo.commit("base")
    repo.branch("feature")
    files = {f"app/m{i}.py": module(i) for i in range(9)}
    for path, text in files.items():
        repo.write(path, text)
    repo.write("docs/notes.md", "# Notes\n")
    if secret:
        repo.write("app/keys.py", f'KEY = "{AWS_KEY}"\n')
    repo.commit("feature")
    (repo.path / "coverage.xml").write_text(cobertura(files))  # untracked, as CI leaves it


def review(repo: GitRepo, report: Path, *flags: str) -> int:
    done = run_baton("review", "--base", "main", "--json", str(report), *flags, cwd=repo.path)
    assert "Traceback" not in done.stderr
    return done.code


def shard_reports(repo: GitRepo, folder: Path) -> list[Path]:
    reports = [folder / f"shard-{k}" / "report.json" for k in range(1, SHARDS + 1)]
    for k, report in enumerate(reports, 1):
        review(repo, report, "--shard", f"{k}/{SHARDS}")
    return reports


def essence(report: dict[str, Any]) -> dict[str, Any]:
    coverage = next(a for a in report["agents"] if a["name"] == "coverage")
    return {
        "findings": sorted(
            (f["fingerprint"], f["severity"], f["path"], f["line"], f["rule_id"])
            for f in report["findings"]
        ),
        "gate": (report["gate"]["verdict"], report["gate"]["exit_code"]),
        "coverage": {k: coverage["metrics"][k] for k in ("covered_lines", "measured_lines")},
        "blocking": coverage["blocking"],
        "files_changed": report["files_changed"],
        "lines_added": report["lines_added"],
    }


@pytest.mark.parametrize("secret", [True, False], ids=["blocking", "clean"])
def test_merged_shards_are_the_review_of_the_whole_change(
    repo: GitRepo, tmp_path: Path, secret: bool
) -> None:
    make_change(repo, secret=secret)
    whole = tmp_path / "whole.json"
    code = review(repo, whole)
    reports = shard_reports(repo, tmp_path / "shards")
    shard_files = [json.loads(r.read_text())["shard"]["files"] for r in reports]
    assert sorted(path for files in shard_files for path in files) == sorted(
        [*(f"app/m{i}.py" for i in range(9)), "docs/notes.md", *(["app/keys.py"] * secret)]
    )
    assert all(files for files in shard_files)
    merged = tmp_path / "merged.json"
    done = run_baton("merge", str(tmp_path / "shards"), "--json", str(merged), cwd=tmp_path)
    assert done.code == code, done.stderr
    assert essence(json.loads(merged.read_text())) == essence(json.loads(whole.read_text()))
    assert "diff coverage" in done.stdout


@pytest.fixture
def clean_shards(repo: GitRepo, tmp_path: Path) -> list[Path]:
    make_change(repo, secret=False)
    return shard_reports(repo, tmp_path / "shards")


def edited(path: Path, into: Path, change: Any) -> Path:
    into.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text()
    into.write_text(change(text) if callable(change) else change)
    return into


BROKEN = {
    "missing shard": (lambda r, t: r[:2], "shard 3/3 is missing"),
    "duplicated shard": (
        lambda r, t: [*r, edited(r[1], t / "again.json", lambda s: s)],
        "shard 2/3 again",
    ),
    "forged copy committed by the change": (
        lambda r, t: [
            *r,
            edited(
                r[0],
                t / "committed" / "shard-1" / "report.json",
                lambda s: re.sub(
                    r'"findings": \[.*?\],\n  "suppressed"',
                    '"findings": [],\n  "suppressed"',
                    s,
                    flags=re.S,
                ),
            ),
        ],
        "shard 1/3 again",
    ),
    "truncated report": (
        lambda r, t: [*r[:2], edited(r[2], t / "cut.json", lambda s: s[: len(s) // 2])],
        "not a baton report",
    ),
    "tampered report": (
        lambda r, t: [
            *r[:2],
            edited(
                r[2],
                t / "bad.json",
                lambda s: s.replace('"schema_version": 1', '"schema_version": "x"'),
            ),
        ],
        "not a baton report",
    ),
    "another baton version": (
        lambda r, t: [
            *r[:2],
            edited(
                r[2],
                t / "old.json",
                lambda s: re.sub(r'"baton_version": "[^"]*"', '"baton_version": "0.9"', s),
            ),
        ],
        "written by baton 0.9",
    ),
    "another head": (
        lambda r, t: [
            *r[:2],
            edited(
                r[2],
                t / "head.json",
                lambda s: re.sub(r'"head": "[0-9a-f]{40}"', '"head": "' + "f" * 40 + '"', s),
            ),
        ],
        "shard of another review (head",
    ),
    "not a shard's report": (
        lambda r, t: [
            *r[:2],
            edited(
                r[2],
                t / "whole.json",
                lambda s: re.sub(r',\s*"shard": \{.*\}\s*\}\s*$', "}", s, flags=re.S),
            ),
        ],
        "not a shard's report",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_a_broken_set_of_shards_is_incomplete_with_the_reason(
    clean_shards: list[Path], tmp_path: Path, case: str
) -> None:
    choose, reason = BROKEN[case]
    done = run_baton("merge", *map(str, choose(clean_shards, tmp_path / "bad")), cwd=tmp_path)
    assert done.code == 3, done.stdout + done.stderr
    assert reason in done.stderr, done.stderr
    assert reason in done.stdout  # the comment says why too
    assert "Traceback" not in done.stderr


def test_another_n_is_left_out_and_a_blocking_shard_still_fails(
    repo: GitRepo, tmp_path: Path
) -> None:
    make_change(repo, secret=True)
    reports = shard_reports(repo, tmp_path / "shards")
    other = tmp_path / "other.json"
    review(repo, other, "--shard", "1/2")
    done = run_baton("merge", str(other), *map(str, reports), cwd=tmp_path)
    assert done.code == 1, done.stderr  # the CRITICAL of the three good shards
    assert "shard of another review (N 2 not 3" in done.stderr


@pytest.mark.parametrize(
    ("args", "reason", "code"),
    [
        ((), "needs shard reports", 2),
        (("nowhere.json",), "not found", 2),
        (("empty",), "holds no", 3),  # the shard jobs left no artefact: every shard is missing
    ],
)
def test_no_reports_is_one_line_and_never_a_pass(
    tmp_path: Path, args: tuple[str, ...], reason: str, code: int
) -> None:
    (tmp_path / "empty").mkdir()
    done = run_baton("merge", *args, cwd=tmp_path)
    assert (done.code, done.stdout) == (code, "")
    assert reason in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_nothing_usable_is_one_line_and_exit_3(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text("{")
    done = run_baton("merge", str(tmp_path / "report.json"), cwd=tmp_path)
    assert done.code == 3
    assert "no shard report can be merged" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_shard_posts_nothing_and_says_so(repo: GitRepo, tmp_path: Path) -> None:
    make_change(repo, secret=False)
    done = run_baton("review", "--base", "main", "--shard", "2/3", cwd=repo.path)
    assert done.code == 0, done.stderr
    assert re.search(
        r"shard 2/3: \d+ of 10 files, \d+ of \d+ added lines; nothing is posted", done.stderr
    )
