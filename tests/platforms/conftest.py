"""Fixtures of the platform tests: the change the fault matrix reviews, built once per test
process (each row works on a copy)."""

from __future__ import annotations

import pytest

from tests.platforms.fault_matrix import Change, make_change


@pytest.fixture(scope="session")
def matrix_change(tmp_path_factory: pytest.TempPathFactory) -> Change:
    return make_change(tmp_path_factory.mktemp("matrix-change") / "repo")
