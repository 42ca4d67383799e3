"""Finding and running tools: overrides, the interpreter's own bin directory, PATH."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from baton.agents.tools import ToolRunner
from baton.errors import AgentError


def test_tools_installed_with_baton_are_found_without_path() -> None:
    found = ToolRunner({}).resolve("bandit")
    assert Path(found).parent == Path(sys.executable).parent


def test_override_that_does_not_exist_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(AgentError, match=r"ruff not found at .*missing \(from the tools setting\)"):
        ToolRunner({"ruff": str(tmp_path / "missing")}).resolve("ruff")


def test_unknown_tool_says_what_to_install() -> None:
    with pytest.raises(AgentError, match="no-such-tool not found: install it"):
        ToolRunner({}).resolve("no-such-tool")


def test_bad_exit_code_reports_last_stderr_line(tmp_path: Path) -> None:
    script = tmp_path / "tool"
    script.write_text("#!/bin/sh\necho first >&2\necho 'the real reason' >&2\nexit 4\n")
    script.chmod(0o755)
    runner = ToolRunner({"tool": str(script)})
    with pytest.raises(AgentError, match="tool exited with code 4: the real reason"):
        asyncio.run(runner.run("tool", [], cwd=tmp_path))


def test_batches_cover_every_file_once(tmp_path: Path) -> None:
    script = tmp_path / "echoargs"
    script.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
    script.chmod(0o755)
    files = [f"f{i}.py" for i in range(1001)]
    outputs = asyncio.run(
        ToolRunner({"echoargs": str(script)}, parallelism=2).run_batched(
            "echoargs", ["--flag"], files, cwd=tmp_path
        )
    )
    seen = [line for out in outputs for line in out.stdout.split() if line not in ("--flag", "--")]
    assert sorted(seen) == sorted(f"./{name}" for name in files)
    assert all(out.stdout.startswith("--flag\n--\n") for out in outputs)
    assert len(outputs) >= 2


def test_a_few_hundred_files_go_to_one_process(tmp_path: Path) -> None:
    script = tmp_path / "echoargs"
    script.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
    script.chmod(0o755)
    files = [f"f{i}.py" for i in range(150)]
    outputs = asyncio.run(
        ToolRunner({"echoargs": str(script)}, parallelism=2).run_batched(
            "echoargs", [], files, cwd=tmp_path
        )
    )
    assert len(outputs) == 1
    assert outputs[0].stdout.split() == ["--", *(f"./{name}" for name in files)]


@pytest.mark.parametrize(
    "name", ["-x.py", "--exclude-files=.*", "@args.py", " lead.py", "a\nb.py", "-", "--"]
)
def test_a_file_name_is_never_an_option(tmp_path: Path, name: str) -> None:
    script = tmp_path / "printargs"
    script.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n')
    script.chmod(0o755)
    outputs = asyncio.run(
        ToolRunner({"printargs": str(script)}).run_batched(
            "printargs", ["scan"], [name], cwd=tmp_path
        )
    )
    assert outputs[0].stdout.split("\0")[:-1] == ["scan", "--", f"./{name}"]


@pytest.mark.parametrize(("processes", "overlap"), [(1, False), (None, True)])
def test_processes_bounds_how_many_run_at_once(
    tmp_path: Path, processes: int | None, overlap: bool
) -> None:
    # Each process holds a lock directory for a moment; a second one at the same time fails.
    script = tmp_path / "exclusive"
    script.write_text(
        f'#!/bin/sh\nmkdir "{tmp_path}/lock" 2>/dev/null || exit 9\nsleep 0.3\n'
        f'rmdir "{tmp_path}/lock"\n'
    )
    script.chmod(0o755)
    files = [f"f{i}.py" for i in range(1200)]
    runner = ToolRunner({"exclusive": str(script)}, parallelism=3)
    run = runner.run_batched("exclusive", [], files, cwd=tmp_path, processes=processes)
    if overlap:
        with pytest.raises(AgentError, match="exclusive exited with code 9"):
            asyncio.run(run)
    else:
        assert len(asyncio.run(run)) == 3
