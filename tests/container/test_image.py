"""The image built from this tree: how GitHub and GitLab start it, and what it leaves out."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from baton._version import __version__
from tests.container import image

pytestmark = pytest.mark.container


def test_version_answers_through_the_entrypoint(baton_image: str) -> None:
    ran = image.run(baton_image, "--version")
    assert (ran.code, ran.stdout.strip()) == (0, f"baton {__version__}"), ran.stderr


def test_help_is_the_review_commands(baton_image: str) -> None:
    ran = image.run(baton_image, "--help")
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith("usage: baton review")
    assert "--fail-on" in ran.stdout


def test_runs_as_the_default_user_with_no_workdir_of_its_own(baton_image: str) -> None:
    config = image.inspect(baton_image)["Config"]
    assert isinstance(config, dict)
    assert config["User"] == ""
    assert config["WorkingDir"] == ""
    assert config["Entrypoint"][0] == "/bin/sh"


def test_git_trusts_a_checkout_owned_by_another_user(baton_image: str) -> None:
    ran = image.shell(baton_image, "git --version && git config --system --get-all safe.directory")
    assert ran.code == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == "*"


def test_no_package_caches_are_left_in_the_image(baton_image: str) -> None:
    ran = image.shell(
        baton_image,
        "find / -xdev -type d -path '*/.cache/pip' | wc -l;"
        " find /var/lib/apt/lists -type f ! -name lock | wc -l;"
        " find /var/cache/apt -type f \\( -name '*.deb' -o -name '*.bin' \\) | wc -l;"
        " ls -A /tmp | wc -l",
    )
    assert ran.code == 0, ran.stderr
    pip_caches, apt_lists, apt_archives, temp_files = ran.stdout.split()
    assert (pip_caches, apt_lists, apt_archives, temp_files) == ("0", "0", "0", "0")


def test_the_bundled_claude_cli_runs_in_the_image(baton_image: str) -> None:
    """The Claude engine needs the CLI that claude-agent-sdk's wheel carries."""
    ran = image.shell(
        baton_image,
        "python3 -c 'import claude_agent_sdk, pathlib;"
        ' print(pathlib.Path(claude_agent_sdk.__file__).parent / "_bundled" / "claude")\''
        ' | { read -r cli; "$cli" --version; }',
    )
    assert ran.code == 0, ran.stderr
    assert "Claude Code" in ran.stdout


def test_image_stays_under_a_gigabyte(baton_image: str) -> None:
    size = image.inspect(baton_image)["Size"]
    assert isinstance(size, int)
    assert size < 1_000_000_000, f"{size / 1e6:.0f} MB"


def test_rebuilding_an_unchanged_tree_reuses_every_layer(
    engine: image.Engine, baton_image: str, tmp_path: Path
) -> None:
    """What keeps reruns fast: the second build of the same tree runs no step at all."""
    context = image.make_context(engine, tmp_path / "context")
    again = f"{image.SCRATCH_REPOSITORY}:rebuild-{time.monotonic_ns()}"
    try:
        image.build_context(engine, context, again)  # a no-op unless the cache was disturbed
        seconds, log = image.build_context(engine, context, again)
        steps = [line.split(" : ")[1] for line in log.splitlines() if line.startswith("Step ")]
        cacheable = [step for step in steps if not step.startswith(("ARG ", "FROM "))]
        assert log.count("Using cache") == len(cacheable), log
        assert "Running in" not in log, log
        assert seconds < 120
    finally:
        image.docker("image", "rm", again)


def test_build_context_holds_only_what_the_image_needs(
    engine: image.Engine, tmp_path: Path
) -> None:
    """The repository's .dockerignore keeps tests, the venv and any .env out of the build."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {engine.base_image}\nCOPY . /context\n")
    tag = f"{image.SCRATCH_REPOSITORY}:context-{time.monotonic_ns()}"
    done = image.docker(
        "build", "--quiet", "--file", str(dockerfile), "--tag", tag, str(image.ROOT), timeout=300
    )
    assert done.returncode == 0, done.stderr
    try:
        listing = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "find", tag, "/context", "-maxdepth", "1"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()
    finally:
        image.docker("image", "rm", tag)
    top = {Path(entry).name for entry in listing if entry != "/context"}
    assert top <= {"pyproject.toml", "README.md", "LICENSE", "src", "wheels", "docker"}
    assert {"pyproject.toml", "README.md", "src"} <= top
