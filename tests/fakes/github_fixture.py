"""The `fake_github` pytest fixture: a running `FakeGitHub`, stopped after the test.

Use it from a test module with `from tests.fakes.github_fixture import fake_github`, or for the
whole suite with `pytest_plugins = ["tests.fakes.github_fixture"]` in the root conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.github_api import FakeGitHub


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A fake GitHub API on an ephemeral port, with its three standard tokens and no repos."""
    with FakeGitHub() as fake:
        yield fake
