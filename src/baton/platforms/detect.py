"""Choosing the platform: from the `platform` setting, or detected from the CI environment."""

from __future__ import annotations

from collections.abc import Mapping

from baton.platforms.base import Platform
from baton.settings import PlatformName, Settings


def platform_name(settings: Settings, environ: Mapping[str, str]) -> PlatformName:
    """The `platform` setting, with `auto` resolved from the CI environment."""
    if settings.platform is not PlatformName.AUTO:
        return settings.platform
    if environ.get("GITHUB_ACTIONS") == "true":
        return PlatformName.GITHUB
    if environ.get("GITLAB_CI") == "true":
        return PlatformName.GITLAB
    return PlatformName.LOCAL


def detect(settings: Settings, environ: Mapping[str, str]) -> Platform | None:
    """The platform to publish to; None means a local run (print only)."""
    name = platform_name(settings, environ)
    if name is PlatformName.GITHUB:
        from baton.platforms.github.platform import GitHubPlatform  # noqa: PLC0415

        return GitHubPlatform(settings, environ)
    if name is PlatformName.GITLAB:
        from baton.platforms.gitlab.platform import GitLabPlatform  # noqa: PLC0415

        return GitLabPlatform(settings, environ)
    return None
