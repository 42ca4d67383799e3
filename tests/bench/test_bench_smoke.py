"""The benchmark still runs end to end and prints every row its README explains."""

from __future__ import annotations

import pytest

from bench.run import main

EXPECTED_ROWS = (
    "files changed / reviewed",
    "lines added",
    "findings raw / reported",
    "verdict",
    "git diff (subprocesses) (not in total)",
    "parse_diff",
    "workspace (the head's changed files from git, written for the tools)",
    "select_files (attributes from the base, skip reasons)",
    "findings (notes, place, suppress, fingerprint, merge, sort)",
    "gate (decide)",
    "Review model",
    "render_markdown",
    "**baton overhead total**",
    "overhead: CPU taken by other processes",
    "security agent alone",
    "quality agent alone",
    "coverage agent alone",
    "fan-out (all agents at once)",
    "**fan-out / slowest single agent**",
    "fan-out: CPU used by the review",
    "fan-out: CPU taken by other processes",
    "bandit alone",
    "detect-secrets alone",
    "ruff alone",
    "review_change (scope, agents, findings, gate)",
)


def test_tiny_benchmark_prints_the_full_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--sizes", "200", "--repeat", "1", "--tool-repeat", "1", "--quiet"])

    out = capsys.readouterr().out
    assert code == 0
    rows = {
        cells[0]: cells[1:]
        for line in out.splitlines()
        if line.startswith("| ") and not line.startswith("| row |")
        for cells in [[cell.strip() for cell in line.strip("|").split("|")]]
    }
    assert set(EXPECTED_ROWS) <= set(rows), set(EXPECTED_ROWS) - set(rows)
    assert rows["verdict"] == ["fail"], "the shell=True call should trip the gate"
    raw, reported = (int(n) for n in rows["findings raw / reported"][0].split(" / "))
    assert raw >= reported > 0
    assert int(rows["lines added"][0]) >= 200
    assert float(rows["**baton overhead total**"][0]) > 0
    assert float(rows["**fan-out / slowest single agent**"][0].strip("*")) > 0
