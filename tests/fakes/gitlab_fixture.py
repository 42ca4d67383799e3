"""The `fake_gitlab` pytest fixture: a running `FakeGitLab`, stopped after the test.

Use it from a test module with `from tests.fakes.gitlab_fixture import fake_gitlab`, or for the
whole suite with `pytest_plugins = ["tests.fakes.gitlab_fixture"]` in the root conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.gitlab_api import FakeGitLab


@pytest.fixture
def fake_gitlab() -> Iterator[FakeGitLab]:
    """A fake GitLab API on an ephemeral port (also under `/gitlab`), with its standard users
    and tokens and no projects."""
    with FakeGitLab() as fake:
        yield fake
