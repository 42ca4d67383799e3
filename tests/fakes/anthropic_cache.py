"""What the Messages API's prompt cache would serve: how much of each request it reads.

The fake answers from scripts and never tokenises anything, but a review's cost depends on
what the API would read from its prompt cache. `PromptCache` keeps the ledger the way the
API documents its cache:

* A request's prompt is its `tools`, then `system`, then `messages`, block by block, with the
  model in front (another model never shares a cache). A block marked `cache_control` is a
  **breakpoint**; more than `MAX_BREAKPOINTS` in one request is a 400 from the real API.
* Once the response to a request **begins**, the prefix up to each of its breakpoints is
  written (if at least `MIN_CACHEABLE_BYTES` long). Requests sent before that all miss, even
  identical ones: concurrent sessions cannot share a prefix nobody has finished sending.
* A later request reads the longest written prefix that ends on one of its block boundaries
  within `LOOKBACK_BLOCKS` blocks before one of its own breakpoints; a request without a
  breakpoint reads nothing. An entry lives `TTL_S` seconds from its last write or read.

Sizes are bytes of compact JSON per block, `cache_control` left out and string content
counted as one text block (the API treats `"content": "x"` and `[{"type": "text", ...}]`
alike); with the request's other fields (model parameters, metadata) they make up the
request body. Token counts are not modelled: bytes are what the ledger compares.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_BREAKPOINTS = 4
MIN_CACHEABLE_BYTES = 4096
"""About 1,024 tokens, the shortest prefix the API caches for most models."""
LOOKBACK_BLOCKS = 20
TTL_S = 300.0


@dataclass(frozen=True)
class Boundary:
    """The end of one block of a prompt: the digest of everything up to it, and its size."""

    digest: str
    size: int
    breakpoint: bool


@dataclass(frozen=True)
class CacheLookup:
    """What the cache would do with one request."""

    prompt_bytes: int
    """Bytes of the prompt's blocks (tools, system, messages)."""
    read_bytes: int
    """Bytes of the longest prefix the cache would serve."""
    breakpoints: int
    boundaries: tuple[Boundary, ...]

    @property
    def written_bytes(self) -> int:
        """Bytes past the part read, up to the last breakpoint: what this request writes."""
        ends = [b.size for b in self.boundaries if b.breakpoint]
        return max(0, max(ends, default=0) - self.read_bytes)


class PromptCache:
    """The cache entries written so far; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, float] = {}

    def lookup(self, body: dict[str, Any], *, now: float | None = None) -> CacheLookup:
        """How much of `body`'s prompt would be read from the cache (entries used are kept
        alive)."""
        now = time.monotonic() if now is None else now
        boundaries = tuple(_boundaries(body))
        marks = [i for i, b in enumerate(boundaries) if b.breakpoint]
        eligible = {j for i in marks for j in range(max(0, i - LOOKBACK_BLOCKS + 1), i + 1)}
        read = 0
        with self._lock:
            for index in sorted(eligible, reverse=True):
                boundary = boundaries[index]
                if self._entries.get(boundary.digest, 0.0) > now:
                    self._entries[boundary.digest] = now + TTL_S
                    read = boundary.size
                    break
        size = boundaries[-1].size if boundaries else 0
        return CacheLookup(size, read, len(marks), boundaries)

    def store(self, lookup: CacheLookup, *, now: float | None = None) -> None:
        """Write the prefixes up to `lookup`'s breakpoints: its response has begun."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for boundary in lookup.boundaries:
                if boundary.breakpoint and boundary.size >= MIN_CACHEABLE_BYTES:
                    self._entries[boundary.digest] = now + TTL_S


def _boundaries(body: dict[str, Any]) -> Iterator[Boundary]:
    running = hashlib.sha256(json.dumps(body.get("model")).encode())
    size = 0
    for block in _blocks(body):
        marked = isinstance(block, dict) and "cache_control" in block
        plain = {k: v for k, v in block.items() if k != "cache_control"}
        data = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
        running.update(data)
        size += len(data)
        yield Boundary(running.copy().hexdigest(), size, marked)


def _blocks(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            yield tool
    yield from (b | {"role": "system"} for b in _content(body.get("system")))
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            role = str(message.get("role"))
            yield from (b | {"role": role} for b in _content(message.get("content")))


def _content(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []
