"""Watching the Claude sessions of a running review through `/proc`: processes, memory, CPU.

`SessionSampler(pid)` is a background thread that reads `/proc` every `interval` seconds
while a `baton review` process `pid` runs. A **session** is a process group below it that
holds a Claude Code process — the bundled `claude` CLI, or a Python relay
(`python -m baton.agents.claude.session`) in front of it. For each it keeps every process
seen in the group and how many samples saw it: **lasting** processes (seen in at least
`LASTING_SAMPLES`) are the session's own; the others are short-lived helpers the CLI runs
(`git` at start-up, each caught at most once or twice, some of them still a copy of
`claude` between fork and exec). The session's peak resident set is the sum of its lasting
processes' `VmHWM` (each process's own high water mark, so a peak between two samples is
not missed; an upper bound of the group's peak when their peaks do not coincide); its CPU
time is that of every process seen (user + system, the last value seen, so up to one
interval of a process's last moments may be missed). Linux only; elsewhere it sees nothing.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

MARKERS = (b"claude_agent_sdk/_bundled/claude", b"baton.agents.claude.session")
"""Command-line fragments of a Claude session's processes."""
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
LASTING_SAMPLES = 3


@dataclass
class SessionUsage:
    """One session's process group, as sampled."""

    group: int
    commands: dict[int, str] = field(default_factory=dict)
    """pid → its name and the first 80 characters of its command line."""
    peak_kb: dict[int, int] = field(default_factory=dict)
    cpu_ticks: dict[int, int] = field(default_factory=dict)
    samples: dict[int, int] = field(default_factory=dict)
    """pid → how many samples saw it running."""

    @property
    def lasting(self) -> list[int]:
        return [pid for pid, seen in self.samples.items() if seen >= LASTING_SAMPLES]

    @property
    def short_lived(self) -> int:
        return len(self.commands) - len(self.lasting)

    @property
    def peak_rss_mb(self) -> float:
        return sum(self.peak_kb.get(pid, 0) for pid in self.lasting) / 1024

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_ticks.values()) / TICKS


class SessionSampler:
    """Samples the sessions below `pid` until closed (a context manager)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.sessions: dict[int, SessionUsage] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="session-sampler", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        table = _table()
        below = _below(self.pid, table)
        groups = {table[p].group for p in below if any(m in table[p].command for m in MARKERS)}
        for pid in below:
            info = table[pid]
            if info.group not in groups:
                continue
            session = self.sessions.setdefault(info.group, SessionUsage(info.group))
            command = info.command.replace(b"\0", b" ")[:80].decode("utf-8", "replace")
            session.commands.setdefault(pid, f"{info.name}: {command}")
            peak = _peak_kb(pid)
            session.peak_kb[pid] = max(session.peak_kb.get(pid, 0), peak)
            session.cpu_ticks[pid] = max(session.cpu_ticks.get(pid, 0), info.cpu_ticks)
            session.samples[pid] = session.samples.get(pid, 0) + (info.state != "Z")


@dataclass(frozen=True)
class _Info:
    name: str
    state: str
    parent: int
    group: int
    cpu_ticks: int
    command: bytes


def _table() -> dict[int, _Info]:
    table: dict[int, _Info] = {}
    root = Path("/proc")
    for entry in root.iterdir() if root.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            name, rest = (entry / "stat").read_text().split("(", 1)[1].rsplit(")", 1)
            fields = rest.split()
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        table[int(entry.name)] = _Info(
            name=name,
            state=fields[0],
            parent=int(fields[1]),
            group=int(fields[2]),
            cpu_ticks=int(fields[11]) + int(fields[12]),
            command=command,
        )
    return table


def _below(pid: int, table: dict[int, _Info]) -> list[int]:
    children: dict[int, list[int]] = {}
    for child, info in table.items():
        children.setdefault(info.parent, []).append(child)
    found, todo = [], list(children.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
