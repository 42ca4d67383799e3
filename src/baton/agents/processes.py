"""Processes baton starts for its agents, with deadlines that hold whatever they start.

A tool's output goes to files, not pipes: a descendant that leaves the process group and
keeps stdout open (`setsid sleep 300 &`) cannot keep baton waiting for the end of a pipe.
When the awaiting agent is cancelled (its timeout, or a SIGTERM) the tool's whole tree is
killed — its process group, and every process below it, found through `/proc` before the
kill so that none is missed by reparenting. baton makes itself a child subreaper
(`become_subreaper`), so a descendant that double-forks away is re-parented to baton rather
than to init, and `kill_descendants` at the end of a run ends whatever is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from baton.errors import AgentError

PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class ToolOutput:
    stdout: str
    stderr: str
    returncode: int


async def run_process(
    label: str,
    argv: Sequence[str],
    *,
    cwd: Path,
    ok_codes: Iterable[int] = (0,),
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    max_stdout: int | None = None,
) -> ToolOutput:
    """Run `argv` in its own process group until it exits; cancellation kills its tree.

    `env`, when given, is the child's whole environment (nothing is inherited). Output
    longer than `max_stdout` bytes is an `AgentError`, and is never read into memory.
    """
    with tempfile.TemporaryDirectory(prefix="baton-tool-") as scratch:
        files = {name: Path(scratch) / name for name in ("stdin", "stdout", "stderr")}
        files["stdin"].write_bytes(stdin or b"")
        with (
            files["stdin"].open("rb") as given,
            files["stdout"].open("wb") as out,
            files["stderr"].open("wb") as err,
        ):
            try:
                process = await asyncio.create_subprocess_exec(
                    *argv,
                    cwd=cwd,
                    stdin=given if stdin is not None else asyncio.subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                    env=None if env is None else dict(env),
                )
            except OSError as error:
                raise AgentError(
                    f"{label} could not be started: {error.strerror or error}"
                ) from error
            try:
                await process.wait()
            except BaseException:
                kill_tree(process.pid)
                with contextlib.suppress(ProcessLookupError, ChildProcessError):
                    await asyncio.shield(process.wait())
                raise
        size = files["stdout"].stat().st_size
        if max_stdout is not None and size > max_stdout:
            raise AgentError(
                f"{label} wrote {size / 2**20:.0f} MiB to stdout, more than the "
                f"{max_stdout / 2**20:.0f} MiB baton reads"
            )
        output = ToolOutput(
            stdout=files["stdout"].read_bytes().decode("utf-8", "replace"),
            stderr=files["stderr"].read_bytes().decode("utf-8", "replace"),
            returncode=process.returncode if process.returncode is not None else -1,
        )
    if output.returncode not in set(ok_codes):
        raise AgentError(f"{label} exited with {describe_exit(output)}")
    return output


def kill_tree(pid: int) -> None:
    """SIGKILL `pid`, its process group and every process below it."""
    below = descendants(pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for child in [pid, *below]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(child, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from `/proc` (empty where there is no `/proc`)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def become_subreaper() -> None:
    """Have orphaned descendants re-parented to this process (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def kill_descendants() -> None:
    """End every process this one started that is still running."""
    for child in descendants(os.getpid()):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def describe_exit(output: ToolOutput) -> str:
    code = output.returncode
    status = f"signal {-code}" if code < 0 else f"code {code}"
    last = next((ln.strip() for ln in reversed(output.stderr.splitlines()) if ln.strip()), "")
    return f"{status}: {last[:200]}" if last else status
