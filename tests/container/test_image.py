"""The images built from this tree: how GitHub and GitLab start them, who they run as, what
they hold and what they leave out."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.container import image

pytestmark = pytest.mark.container
ENTRYPOINT = "/usr/local/bin/baton-entrypoint"


@pytest.mark.parametrize("target", ["full", "builtin"])
def test_version_names_the_commit_the_image_was_built_from(
    engine: image.Engine, target: str
) -> None:
    tag = image.build(engine, target)
    ran = image.run(tag, "--version")
    version = image.tree_version()
    assert (ran.code, ran.stdout.strip()) == (0, f"baton {version}"), ran.stderr
    labels = image.inspect(tag)["Config"]
    assert isinstance(labels, dict)
    assert labels["Labels"]["org.opencontainers.image.version"] == version
    assert labels["Labels"]["org.opencontainers.image.source"] == (
        "https://github.com/baton-review/baton"
    )


def test_help_is_the_review_commands(baton_image: str) -> None:
    ran = image.run(baton_image, "--help")
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith("usage: baton review")
    assert "--fail-on" in ran.stdout


def test_starts_as_the_default_user_with_no_workdir_of_its_own(baton_image: str) -> None:
    """GitHub's rule for Docker actions: no USER and no WORKDIR (it passes --workdir)."""
    config = image.inspect(baton_image)["Config"]
    assert isinstance(config, dict)
    assert config["User"] == ""
    assert config["WorkingDir"] == ""
    assert config["Entrypoint"] == [ENTRYPOINT]


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


def test_the_builtin_image_has_no_claude_cli_and_says_what_to_use(builtin_image: str) -> None:
    """With a model credential but no CLI, the review runs its built-in agents and says why."""
    ran = image.shell(builtin_image, "python3 -c 'import claude_agent_sdk'")
    assert ran.code == 1
    assert "No module named 'claude_agent_sdk'" in ran.stderr
    script = (
        "git init -q /tmp/repo && cd /tmp/repo && git config user.email a@b"
        " && git config user.name a && echo 'x = 1' > a.py && git add a.py"
        " && git commit -qm base && echo 'y = 2' >> a.py && git commit -qam change"
        " && ANTHROPIC_API_KEY=sk-ant-test baton review --base HEAD~1"
    )
    ran = image.shell(builtin_image, script)
    assert ran.code == 0, ran.stdout + ran.stderr
    assert "built-in agents only (no Claude CLI: " in ran.stderr
    assert "the image without -builtin" in ran.stderr


def test_images_sizes_and_what_they_share(baton_image: str, builtin_image: str) -> None:
    """The builtin image is the full one less the Claude CLI: every layer below it is shared.
    Sizes are guarded loosely here; bench/README.md has the measured ones."""
    full, builtin = image.inspect(baton_image), image.inspect(builtin_image)
    full_layers = full["RootFS"]["Layers"]  # type: ignore[index]
    builtin_layers = builtin["RootFS"]["Layers"]  # type: ignore[index]
    assert set(builtin_layers) <= set(full_layers)  # baton's own layer too: the same bytes
    assert len(set(full_layers) - set(builtin_layers)) == 1  # the Claude CLI's
    assert isinstance(full["Size"], int) and isinstance(builtin["Size"], int)
    assert full["Size"] < 900_000_000, f"{full['Size'] / 1e6:.0f} MB"
    assert builtin["Size"] < 450_000_000, f"{builtin['Size'] / 1e6:.0f} MB"
    assert full["Size"] - builtin["Size"] > 350_000_000  # the Claude CLI is the difference


def test_arm64s_zizmor_wheel_path_gives_a_zizmor_that_runs(
    engine: image.Engine, tmp_path: Path
) -> None:
    """zizmor has only a musllinux wheel for arm64, which the image unpacks on arm64. Taken
    here with the x86_64 musllinux wheel: the program runs on Debian and reviews a workflow."""
    context = image.make_context(engine, tmp_path / "context")
    tag = f"{image.SCRATCH_REPOSITORY}:musl-zizmor-{time.monotonic_ns()}"
    platform = {"ZIZMOR_WHEEL_PLATFORM": "musllinux_1_2_x86_64"}
    try:
        image.build_context(engine, context, tag, target="builtin", build_args=platform)
        ran = image.shell(
            tag,
            "grep '^Tag:' /opt/baton/lib/python3.11/site-packages/zizmor-*.dist-info/WHEEL"
            " && mkdir -p /tmp/w/.github/workflows && cd /tmp/w"
            " && printf 'on: pull_request_target\\njobs:\\n  a:\\n    runs-on: x\\n"
            "    steps:\\n      - run: echo ${{ github.event.pull_request.title }}\\n'"
            " > .github/workflows/a.yml"
            " && zizmor --offline --format plain .github/workflows/a.yml; echo exit=$?",
        )
    finally:
        image.docker("image", "rm", tag)
    assert "Tag: py3-none-musllinux_1_2_x86_64" in ran.stdout, ran.stdout + ran.stderr
    assert "template-injection" in ran.stdout, ran.stdout + ran.stderr
    assert re.search(r"^exit=1[1-4]$", ran.stdout, re.M)  # zizmor: 11-14, findings by severity


def test_the_image_holds_no_pip_and_no_build_tools(builtin_image: str) -> None:
    ran = image.shell(
        builtin_image,
        "ls /opt/baton/bin | grep -c '^pip' ; command -v gcc cc pip pip3 | wc -l;"
        " python3 -c 'import pip' 2>/dev/null; echo $?",
    )
    assert ran.code == 0, ran.stderr
    assert ran.stdout.split() == ["0", "0", "1"]


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
        assert log.count("Using cache") >= len(cacheable), log
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
