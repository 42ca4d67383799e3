"""The `gitlab_ci` marker: tests that run baton's GitLab CI files with gitlab-ci-local."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "gitlab_ci: runs baton's GitLab CI template and component with gitlab-ci-local"
    )
