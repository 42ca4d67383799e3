"""baton's own `detect-secrets scan`: the filters it is given hold in every worker process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KEY = "AKIAZ3MHQX7TQ2VJ5K4P"
NAME_FILTERS = [
    "--disable-filter",
    "detect_secrets.filters.heuristic.is_non_text_file",
    "--disable-filter",
    "detect_secrets.filters.heuristic.is_lock_file",
]
FILES = ["poetry.lock", "logo.png", "app.py", "notes.md", "web/package-lock.json"]


def scan(folder: Path, *args: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "baton.agents.builtin.secret_scan", "scan", "--no-verify", *args],
        cwd=folder,
        capture_output=True,
        check=True,
    )
    results = json.loads(done.stdout)["results"]
    return {name: [item["type"] for item in items] for name, items in results.items()}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f'token = "{KEY}"\n')
    return tmp_path


def test_disabled_name_filters_stay_off_for_every_file(folder: Path) -> None:
    found = scan(folder, *NAME_FILTERS, "--", *(f"./{name}" for name in FILES))
    assert found == {f"./{name}": ["AWS Access Key"] for name in sorted(FILES)}


def test_filters_not_disabled_still_apply_in_every_worker(folder: Path) -> None:
    found = scan(folder, "--", *(f"./{name}" for name in FILES))
    assert sorted(found) == ["./app.py", "./notes.md"]


def test_a_name_that_looks_like_an_option_is_a_file(folder: Path) -> None:
    (folder / "--exclude-files=.*").write_text(f'token = "{KEY}"\n')
    assert scan(folder, "--", "./--exclude-files=.*") == {
        "./--exclude-files=.*": ["AWS Access Key"]
    }
