"""Deadlines that hold whatever a tool starts: output through files, the whole tree killed."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from baton.agents.processes import descendants, run_process


def running(marker: str) -> list[int]:
    """Processes whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry.name))
    return found


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "tool"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_a_tool_whose_escaped_child_holds_stdout_still_meets_its_deadline(
    tmp_path: Path,
) -> None:
    """The child leaves the process group (setsid) and keeps the tool's stdout open."""
    tool = script(tmp_path, "setsid sleep 3117 &\nsleep 3117")

    async def under_deadline() -> None:
        await asyncio.wait_for(run_process("tool", [str(tool)], cwd=tmp_path), timeout=1)

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        asyncio.run(under_deadline())

    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while running("sleep 3117") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running("sleep 3117") == []


def test_a_tool_that_exits_is_done_although_a_child_keeps_its_output_open(
    tmp_path: Path,
) -> None:
    tool = script(tmp_path, "setsid sleep 3118 &\necho done")
    started = time.monotonic()

    output = asyncio.run(run_process("tool", [str(tool)], cwd=tmp_path))

    assert output.stdout == "done\n"
    assert time.monotonic() - started < 5
    for pid in running("sleep 3118"):  # baton's end-of-run sweep would end it; tests do here
        os.kill(pid, signal.SIGKILL)


def test_descendants_are_found_through_every_level(tmp_path: Path) -> None:
    tool = script(tmp_path, "sh -c 'sleep 3119' &\nsleep 3119")

    async def look() -> list[int]:
        process = await asyncio.create_subprocess_exec(str(tool))
        await asyncio.sleep(0.5)
        found = descendants(process.pid)
        process.kill()
        await process.wait()
        return found

    below = asyncio.run(look())
    assert len(below) >= 2
    assert set(running("sleep 3119")) <= set(below)
    for pid in running("sleep 3119"):
        os.kill(pid, signal.SIGKILL)
