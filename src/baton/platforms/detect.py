"""Choosing the platform: from the `platform` setting, or detected from the CI environment."""

from __future__ import annotations

from collections.abc import Mapping

from baton.platforms.base import Platform
from baton.settings import PlatformName, Settings


def detect(settings: Settings, environ: Mapping[str, str]) -> Platform | None:
    """The platform to publish to; None means a local run (print only)."""
    name = settings.platform
    if name is PlatformName.AUTO:
        if environ.get("GITHUB_ACTIONS") == "true":
            name = PlatformName.GITHUB
        else:
            name = PlatformName.LOCAL
    if name is PlatformName.GITHUB:
        from baton.platforms.github.platform import GitHubPlatform  # noqa: PLC0415

        return GitHubPlatform(settings, environ)
    return None
