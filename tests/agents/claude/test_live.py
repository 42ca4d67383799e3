"""The one path that needs the real service: `baton review` with a real ANTHROPIC_API_KEY.

It runs only when the key is in the environment of the test run (the rest of the suite is
offline and hides the key from every other test). `pytest -m live` selects it.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.fakes.baton_cli import run_baton
from tests.fakes.repos import GitRepo

LIVE_KEY = os.environ.get("ANTHROPIC_API_KEY", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not LIVE_KEY, reason="needs a real ANTHROPIC_API_KEY"),
]


def test_review_with_the_real_api_finds_an_injection(repo: GitRepo) -> None:
    repo.write("app.py", "")
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "app.py",
        "import sqlite3\n\n\ndef find(db: sqlite3.Connection, name: str):\n"
        "    return db.execute(f\"SELECT * FROM users WHERE name = '{name}'\").fetchall()\n",
    )
    repo.commit("query")

    done = run_baton(
        "review",
        "--base",
        "main",
        "--agents",
        "security",
        "--json",
        "r.json",
        cwd=repo.path,
        env={"ANTHROPIC_API_KEY": LIVE_KEY, "BATON_MAX_BUDGET_USD": "1"},
        timeout=600,
    )

    report = json.loads((repo.path / "r.json").read_text())
    agents = {a["name"]: a for a in report["agents"]}
    assert agents["claude-security"]["engine"] == "claude"
    assert agents["claude-security"]["status"] == "ok", done.stderr
    assert agents["security"]["engine"] == "builtin"  # beside the model, always
    model = [f for f in report["findings"] if f["agent"] == "claude-security"]
    assert any(f["line"] == 5 for f in model), report["findings"]
