"""Fixtures shared by the whole suite: a clean environment and real git repositories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.repos import GIT_ENV, GitRepo

pytest_plugins = [
    "tests.fakes.anthropic_fixture",
    "tests.fakes.github_fixture",
    "tests.fakes.gitlab_fixture",
    "tests.fakes.osv_fixture",
]


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No BATON_* or CI variables leak in from the machine running the tests."""
    for key in list(os.environ):
        if key.startswith(("BATON_", "GITHUB_", "GITLAB_", "CI_", "INPUT_", "ANTHROPIC_")):
            monkeypatch.delenv(key, raising=False)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    yield


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty repository on `main`."""
    return GitRepo(tmp_path / "repo")
