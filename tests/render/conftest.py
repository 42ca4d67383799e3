"""Golden-file support for the renderer tests.

`golden(name, text)` compares `text` with `tests/data/golden/<name>`. Regenerate every
golden after an intended change with `pytest tests/render --update-goldens` (or with
`UPDATE_GOLDENS=1` in the environment when running from elsewhere), then review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "data" / "golden"
_UPDATE_FROM_ENV = os.environ.get("UPDATE_GOLDENS", "") not in ("", "0")

Golden = Callable[[str, str], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/data/golden/* from the current renderer output",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    update = _UPDATE_FROM_ENV or bool(request.config.getoption("--update-goldens", False))

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            return
        assert path.is_file(), f"missing golden {path}; run: pytest tests/render --update-goldens"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, (
            f"{name} differs from the golden; if the change is intended, run "
            "pytest tests/render --update-goldens and review the diff"
        )

    return check
