"""The `fake_osv` pytest fixture: a running `FakeOsv`, stopped after the test.

Use it from a test module with `from tests.fakes.osv_fixture import fake_osv`, or for the whole
suite with `pytest_plugins = ["tests.fakes.osv_fixture"]` in the root conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.osv_api import FakeOsv


@pytest.fixture
def fake_osv() -> Iterator[FakeOsv]:
    """A fake OSV API on an ephemeral port, with OSV's limits and an empty database."""
    with FakeOsv() as osv:
        yield osv
