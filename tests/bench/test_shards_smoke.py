"""bench.shards still runs end to end: a small change as one job and as two shards merged."""

from __future__ import annotations

import json

import pytest

from bench.many_files import module_lines
from bench.shards import main


def test_two_shards_merged_say_what_one_job_says(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--lines", "300", "--shards", "2", "--json", "--quiet"])

    assert code == 0
    [done] = json.loads(capsys.readouterr().out)["rounds"]
    assert done["same"] == "same"
    assert done["files"] == 30
    assert done["single"]["exit_code"] == 1  # the corpus fails the gate on purpose
    assert [job["exit_code"] for job in done["shards"]] == [1, 0]
    assert done["merge"]["exit_code"] == 1
    assert all(job["own_rss_mb"] > 0 and job["error"] is None for job in done["shards"])


def test_modules_have_the_lines_asked_for() -> None:
    assert {len(module_lines(n, 10)) for n in range(200)} == {10}
    assert "shell=True" in "\n".join(module_lines(100, 10))


@pytest.mark.parametrize("args", [["--lines", "5"], ["--shards", "1"], ["--repeat", "0"]])
def test_bad_arguments_are_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
