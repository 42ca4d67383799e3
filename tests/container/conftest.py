"""Fixtures for the container tests: a prepared Docker engine and the image of this tree.

The first test that needs the image prepares the engine (scripts/docker-test-env.sh) and
builds the image once per session; later sessions on an unchanged tree reuse it.
"""

from __future__ import annotations

import pytest

from tests.container import image


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "container: builds or lints baton's container image and GitHub Action"
    )


@pytest.fixture(scope="session")
def engine() -> image.Engine:
    return image.prepare()


@pytest.fixture(scope="session")
def baton_image(engine: image.Engine) -> str:
    """The tag of the full image (with the Claude CLI) built from the working tree."""
    return image.build(engine)


@pytest.fixture(scope="session")
def builtin_image(engine: image.Engine) -> str:
    """The tag of the builtin image (no Claude CLI) built from the working tree."""
    return image.build(engine, "builtin")
