"""The cold-start benchmark still runs end to end: one pull and one build of the action."""

from __future__ import annotations

import re

import pytest

from bench.cold_start import main

pytestmark = pytest.mark.container


def test_one_pull_and_one_build_reach_the_first_agent(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--repeat", "1"])
    table = capsys.readouterr().out
    sizes = dict(re.findall(r"^\| (full|builtin) \| \d+ MB \| (\d+) MB \|$", table, re.M))
    assert set(sizes) == {"full", "builtin"}, table
    assert int(sizes["builtin"]) < int(sizes["full"])
    seconds = dict(re.findall(r"^\| (pull|build) \| ([\d.]+) s \|", table, re.M))
    assert set(seconds) == {"pull", "build"}, table
    assert all(float(value) > 0 for value in seconds.values())
