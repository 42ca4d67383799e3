"""The `fake_anthropic` pytest fixture: a running `FakeAnthropic`, stopped after the test.

Use it from a test module with `from tests.fakes.anthropic_fixture import fake_anthropic`, or
for the whole suite with `pytest_plugins = ["tests.fakes.anthropic_fixture"]` in the root
conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.anthropic_api import FakeAnthropic


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    """A fake Messages API on an ephemeral port; scripts and request log start empty."""
    with FakeAnthropic() as api:
        yield api
