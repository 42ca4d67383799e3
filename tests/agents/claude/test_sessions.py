"""What a review costs the model and the machine: the diff reaches the model once per chunk,
and every session is one `claude` process.

`baton review` runs for real (git, the built-in tools, the bundled `claude` CLI) against the
fake Messages API, whose ledger says, request by request, what the API's prompt cache would
serve (`tests/fakes/anthropic_cache.py`). A chunk's diff block is "sent uncached" by a
request when the cache would not serve the prompt up to the end of that block.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic, RecordedRequest
from tests.fakes.anthropic_script import Fault, Reply, ToolUse
from tests.fakes.baton_cli import review_report, start_baton
from tests.fakes.repos import GitRepo

CLAUDE_REVIEWERS = ("claude-security", "claude-quality", "claude-coverage")
BUNDLED = b"claude_agent_sdk/_bundled/claude"


def module(index: int) -> str:
    """About 75 lines: two modules make more than one 2,000-token chunk."""
    body = "".join(
        f"value_{n} = compute({n}, {index})  # a line of some length\n" for n in range(70)
    )
    return f'"""Module {index}."""\n\nfrom app.core import compute\n\n{body}'


def finding(path: str, line: int) -> dict[str, Any]:
    return {
        "severity": "MEDIUM",
        "confidence": "HIGH",
        "path": path,
        "line": line,
        "rule_id": "odd-value",
        "title": "An odd value",
        "message": "Explained.",
    }


def diff_block(request: RecordedRequest) -> tuple[str, bool] | None:
    """(the chunk's diff block, whether the cache would serve it) of a session's request."""
    messages = request.messages
    content = messages[0].get("content") if messages else None
    if not isinstance(content, list) or "<diff-" not in str(content[0].get("text", "")):
        return None
    assert request.cache is not None
    blocks_before = len(request.body.get("tools", [])) + len(request.body.get("system", []))
    end = request.cache.boundaries[blocks_before].size
    return str(content[0]["text"]), request.cache.read_bytes >= end


def test_each_chunk_of_the_diff_reaches_the_model_once(
    repo: GitRepo, fake_anthropic: FakeAnthropic
) -> None:
    """Two chunks, three reviewers, a reviewer that reads a file first, and a synthesizer:
    every chunk is sent by 4 requests (5 for the session that read a file), and by exactly
    one of them without a cache hit."""
    repo.pull_request(
        {"app/__init__.py": "", ".baton.toml": 'stop_on = "never"\n'},
        {"app/m0.py": module(0), "app/m1.py": module(1)},
    )
    late = 1.0  # every answer begins 1 s after its request: the sessions would race
    read = Reply.of(ToolUse("Read", {"file_path": str(repo.path / "app/m0.py")}))
    fake_anthropic.script(
        "claude-security",
        [
            read.delayed(late),
            *(
                Reply.structured({"findings": [finding(path, 8)], "summary": "One."}).delayed(late)
                for path in ("app/m0.py", "app/m1.py", "app/m1.py")
            ),
        ],
    )
    none = Reply.structured({"findings": [], "summary": "None."}).delayed(late)
    fake_anthropic.script_default([none] * 4)
    checked = Reply.structured({"revisions": [], "summary": "Ok."}).delayed(late)
    fake_anthropic.script("synthesizer", [checked] * 2)

    done, report = review_report(
        repo.path,
        env={**fake_anthropic.env(), "BATON_CHUNK_TOKENS": "2000", "BATON_RETRIES": "0"},
        timeout=240,
    )

    assert done.code == 0, done.stderr
    agents = {a["name"]: a for a in report["agents"]}
    assert {name: agents[name]["status"] for name in (*CLAUDE_REVIEWERS, "synthesizer")} == {
        **dict.fromkeys(CLAUDE_REVIEWERS, "ok"),
        "synthesizer": "ok",
    }
    assert agents["claude-security"]["usage"]["sessions"] == 2
    assert agents["synthesizer"]["usage"]["sessions"] == 2  # one per chunk with findings
    sent = [found for r in fake_anthropic.requests() if (found := diff_block(r)) is not None]
    chunks = {text for text, _ in sent}
    assert len(chunks) == 2
    assert sorted(Counter(text for text, _ in sent).values()) == [4, 5]
    uncached = Counter(text for text, cached in sent if not cached)
    assert uncached == dict.fromkeys(chunks, 1)
    assert all(r.outcome == "reply" for r in fake_anthropic.requests())
    ledger = fake_anthropic.ledger()
    diff_bytes = sum(len(text.encode()) for text in chunks)
    assert ledger.uncached_bytes < diff_bytes + 16_000 * len(sent)


def test_each_session_is_one_claude_process(repo: GitRepo, fake_anthropic: FakeAnthropic) -> None:
    """While the three reviewers' sessions wait for the model, each is a single process: the
    bundled `claude`, a child of baton, leading a process group of its own."""
    repo.pull_request({"app/__init__.py": ""}, {"app/m0.py": module(0)})
    release = threading.Event()
    fake_anthropic.script_default(
        [Reply.structured({"findings": [], "summary": "No."}).held(release)]
    )

    process = start_baton("review", "--base", "main", cwd=repo.path, env=fake_anthropic.env())
    try:
        fake_anthropic.wait_for(1, timeout=90)
        sessions = _sessions_below(process.pid, expected=3)
    finally:
        release.set()
        process.communicate(timeout=120)

    assert process.returncode == 0
    assert len(sessions) == 3, sessions
    for parent, group in sessions.values():
        assert len(group) == 1 and BUNDLED in group[0], group  # the group: claude alone
        assert parent == process.pid  # no relay in between


def _sessions_below(
    baton: int, *, expected: int, timeout: float = 30.0
) -> dict[int, tuple[int, list[bytes]]]:
    """The `claude` processes below `baton`: pid → (parent pid, the command lines of the
    running processes of its process group), once `expected` sessions are there and each
    group is down to the processes that last (as it starts, the CLI runs short-lived `git`
    processes of its own)."""
    deadline = time.monotonic() + timeout
    while True:
        table = _processes()
        below = _descendants(baton, table)
        sessions = {
            pid: (
                table[pid][0],
                [table[p][2] for p in below if table[p][1] == pid and table[p][3] != "Z"],
            )
            for pid in below
            if BUNDLED in table[pid][2]
        }
        settled = all(len(group) == 1 for _, group in sessions.values())
        if (len(sessions) >= expected and settled) or time.monotonic() > deadline:
            return sessions
        time.sleep(0.1)


def _processes() -> dict[int, tuple[int, int, bytes, str]]:
    """pid → (parent pid, process group, command line, state)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        table[int(entry.name)] = (int(fields[1]), int(fields[2]), command, fields[0])
    return table


def _descendants(pid: int, table: dict[int, tuple[int, int, bytes, str]]) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        children = [p for p, (parent, *_) in table.items() if parent == current]
        found.extend(children)
        todo.extend(children)
    return found


@pytest.mark.parametrize("first", ["answers", "fails"])
def test_sessions_sharing_a_chunk_wait_for_the_first_to_begin(
    repo: GitRepo, fake_anthropic: FakeAnthropic, first: str
) -> None:
    """The other reviewers' first requests come after the first response has begun — or,
    when the first session fails before any response begins, after it ended."""
    repo.pull_request({"app/__init__.py": ""}, {"app/m0.py": module(0)})
    slow = Reply.structured({"findings": [], "summary": "No."}).delayed(1.5)
    fake_anthropic.script_default([slow if first == "answers" else Fault.overloaded()] * 2)

    done, report = review_report(
        repo.path,
        env={**fake_anthropic.env(), "BATON_API_MAX_RETRIES": "0", "BATON_RETRIES": "0"},
        timeout=240,
    )

    reviewers = [r for r in fake_anthropic.requests() if r.key in CLAUDE_REVIEWERS]
    leader, *followers = sorted(reviewers, key=lambda r: r.received_at)
    assert len(followers) == 2
    assert leader.finished_at is not None
    if first == "answers":  # the leader's reply begins 1.5 s after it was received
        assert all(r.received_at >= leader.received_at + 1.5 for r in followers)
        assert done.code == 0, done.stderr
    else:
        assert all(r.received_at >= leader.finished_at for r in followers)
        assert done.code == 3
    assert report["agents"]
