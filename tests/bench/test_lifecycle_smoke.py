"""The pull-request-life benchmark still runs end to end, and memory saves model input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.lifecycle import STEPS, main


def test_a_tiny_life_prints_every_review_and_memory_sends_less(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "life.json"
    main(["--lines", "150", "--push-lines", "20", "--latency", "0", "--json-file", str(out)])
    table = capsys.readouterr().out
    for mode in ("memory", "full"):
        for step in STEPS:
            assert f"| {mode} | {step} |" in table
    assert "life total uncached_bytes: memory" in table
    memory, full = json.loads(out.read_text())
    assert all(step["exit_code"] in (0, 1) for step in memory + full)
    sent = [(m["uncached_bytes"], f["uncached_bytes"]) for m, f in zip(memory, full, strict=True)]
    for number in (1, 2, 4):  # pushes on top of the last review
        assert sent[number][0] < sent[number][1]
    for number in (0, 3):  # the opening and the rebase: full reviews either way
        assert sent[number][0] == pytest.approx(sent[number][1], rel=0.05)
