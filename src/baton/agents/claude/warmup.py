"""Which session sends a shared prompt prefix first, and when the others may follow.

The Messages API caches a prompt prefix once the response to the request that sent it has
begun; requests sent before that each pay for the whole prefix, even identical ones. So the
sessions whose first request starts the same way — same model, system prompt, tools and
schema, and the same `shared` block (a chunk of the diff) — do not all send it at once. The
first to `claim` the prefix goes ahead; the others start their `claude` process at once but
hold back their first message until its response begins, until it ends, or for at most
`WAIT_S` seconds (then they go ahead uncached rather than late). A prefix that began less
than `FRESH_S` seconds ago counts as cached (the API keeps it 5 minutes from its last use),
so later sessions — a later phase, a rerun — go ahead at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from dataclasses import dataclass, field

from baton.agents.claude.protocol import SessionJob

WAIT_S = 10.0
FRESH_S = 240.0


@dataclass
class _Prefix:
    loop: asyncio.AbstractEventLoop
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    began_at: float | None = None


_PREFIXES: dict[str, _Prefix] = {}


def prefix_key(job: SessionJob) -> str | None:
    """What decides whether two sessions' first requests share a cached prefix; None when
    the job has no shared block."""
    if job.shared is None:
        return None
    parts = [job.model, job.cwd, job.system_prompt, job.tools, job.output_schema, job.shared]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class Claim:
    """One session's place in the order of a prefix: first, or following."""

    def __init__(self, key: str | None, prefix: _Prefix | None, *, first: bool) -> None:
        self._key = key
        self._prefix = prefix
        self.first = first

    async def turn(self) -> None:
        """Return when this session may send its first message."""
        if self.first or self._prefix is None or self._prefix.ready.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._prefix.ready.wait(), WAIT_S)

    def began(self) -> None:
        """This session's first response has begun: the prefix is cached."""
        if self._prefix is not None:
            self._prefix.began_at = time.monotonic()
            self._prefix.ready.set()

    def end(self) -> None:
        """This session is over; the sessions waiting for it go ahead."""
        if not self.first or self._prefix is None:
            return
        self._prefix.ready.set()
        if self._prefix.began_at is None and _PREFIXES.get(self._key or "") is self._prefix:
            del _PREFIXES[self._key or ""]  # never cached: the next session goes first


def claim(job: SessionJob) -> Claim:
    """This session's place for its prefix (first, when no other session holds it)."""
    key = prefix_key(job)
    if key is None:
        return Claim(None, None, first=True)
    loop = asyncio.get_running_loop()
    now = time.monotonic()
    _forget_stale(now)
    prefix = _PREFIXES.get(key)
    held = prefix is not None and (prefix.began_at is not None or not prefix.ready.is_set())
    if prefix is not None and prefix.loop is loop and held:
        return Claim(key, prefix, first=False)
    prefix = _PREFIXES[key] = _Prefix(loop)
    return Claim(key, prefix, first=True)


def _forget_stale(now: float) -> None:
    for key, prefix in list(_PREFIXES.items()):
        stale = prefix.began_at is not None and now - prefix.began_at > FRESH_S
        if stale or prefix.loop.is_closed():
            del _PREFIXES[key]
