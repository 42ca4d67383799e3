"""The release workflow, dry-run by act on a tag push: every job runs, nothing is published.

A copy of this project becomes a repository; `scripts/release.py prepare` makes the release
commit and tag, and act runs .github/workflows/release.yml on the tag's push event. Steps
that push or need github.com are skipped under act; the checks, the sdist and wheel build and
their version check, the image tags and the release notes run for real. A tag that does not
match what the commit pins stops the workflow at its first job.

act fetches every action a job names before its first step, skipped or not, and github.com is
out of reach here: each third-party action is replaced (`--local-repository`) by an empty
action that would fail if it ever ran.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.container import image
from tests.container.act import act_binary

pytestmark = pytest.mark.container

WORKFLOW = Path(".github/workflows/release.yml")
COPIED = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "action.yml",
    "gitlab-template.yml",
    "templates",
    "scripts/release.py",
    "src",
    str(WORKFLOW),
)
"""What a release needs from the project: the package, its pins, the changelog, the script."""
RUNNER = """\
FROM {base}
RUN apt-get update \\
    && apt-get install -y --no-install-recommends python3 python3-venv git ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
"""
"""The job image: what the workflow's run steps use on GitHub's runner (python3, venv, git)."""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Release Manager",
    "GIT_AUTHOR_EMAIL": "release@example.com",
    "GIT_COMMITTER_NAME": "Release Manager",
    "GIT_COMMITTER_EMAIL": "release@example.com",
}
IMAGE = "ghcr.io/baton-review/baton"


def runner_image(engine: image.Engine) -> str:
    text = RUNNER.format(base=engine.base_image)
    tag = f"baton-act-runner:{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    if not image.exists(tag):
        done = subprocess.run(
            ["docker", "build", "--network", "host", "--tag", tag, "-"],
            input=text,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return tag


STAND_IN = """\
name: stand-in
description: Replaces a third-party action the dry run skips; fails if it runs.
runs:
  using: composite
  steps:
    - run: echo "a skipped action ran" && exit 1
      shell: sh
"""


def stand_ins(root: Path) -> list[str]:
    """`--local-repository` arguments for the workflow's third-party actions."""
    used = re.findall(
        r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})", (image.ROOT / WORKFLOW).read_text()
    )
    arguments = []
    for action, commit in sorted(set(used)):
        if action == "actions/checkout":  # act copies the local checkout itself
            continue
        folder = root / "actions" / action.replace("/", "--")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "action.yml").write_text(STAND_IN)
        arguments += ["--local-repository", f"{action}@{commit}={folder}"]
    return arguments


def wheels_for_the_build(engine: image.Engine, into: Path) -> Path:
    """The wheels `python -m build` installs (the pinned `build`, the build backend), as the
    job container reaches no package index here."""
    pin = re.search(r"'(build==[\w.]+)'", (image.ROOT / WORKFLOW).read_text())
    assert pin, "release.yml pins build"
    into.mkdir()
    for wheel in engine.wheels.glob("*.whl"):
        shutil.copy2(wheel, into / wheel.name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(into), pin.group(1)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return into


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout.strip()


def released_project(root: Path, version: str, name: str) -> Path:
    """A copy of this project with `scripts/release.py prepare VERSION` done, at the tag; the
    workflow is also copied as `name`.yml, named `name` (act names its containers so)."""
    repo = root / "project"
    for copied in COPIED:
        source, target = image.ROOT / copied, repo / copied
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    text = re.sub(
        r"^name: .*$", f"name: {name}", (repo / WORKFLOW).read_text(), count=1, flags=re.M
    )
    (repo / WORKFLOW.with_name(f"{name}.yml")).write_text(text)
    git(repo, "init", "-q", "--initial-branch", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Project")
    done = subprocess.run(
        [sys.executable, "scripts/release.py", "prepare", version, "--date", "2026-12-03"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    git(repo, "checkout", "-q", f"v{version}")
    return repo


@pytest.fixture
def act_names() -> Iterator[str]:
    """A workflow file name unique to the test, so its containers are removed by name."""
    name = f"release-{uuid.uuid4().hex[:8]}"
    yield name
    listed = image.docker("ps", "--all", "--quiet", "--filter", f"name=act-{name}-")
    for container in listed.stdout.split():
        image.docker("rm", "--force", "--volumes", container)


def dry_run(
    engine: image.Engine, repo: Path, tag: str, wheels: Path, name: str
) -> subprocess.CompletedProcess[str]:
    workflow = repo / WORKFLOW.with_name(f"{name}.yml")
    event = repo.parent / "event.json"
    event.write_text(
        json.dumps(
            {
                "ref": f"refs/tags/{tag}",
                "repository": {"full_name": "baton-review/baton", "name": "baton"},
            }
        )
    )
    return subprocess.run(
        [
            act_binary(),
            "push",
            "--workflows",
            str(workflow),
            "--eventpath",
            str(event),
            "--platform",
            f"ubuntu-latest={runner_image(engine)}",
            "--pull=false",
            "--container-options",
            f"--volume {wheels}:/wheels:ro",
            "--env",
            "PIP_NO_INDEX=1",
            "--env",
            "PIP_FIND_LINKS=/wheels",
            *stand_ins(repo.parent),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_a_release_tag_runs_every_job_and_publishes_nothing(
    engine: image.Engine, tmp_path: Path, act_names: str
) -> None:
    repo = released_project(tmp_path, "1.0.0", act_names)
    wheels = wheels_for_the_build(engine, tmp_path / "wheels")
    done = dry_run(engine, repo, "v1.0.0", wheels, act_names)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-6000:]
    succeeded = re.findall(r"\[[^\]]*/([^\]/]*?) *\] 🏁  Job succeeded", log)
    assert sorted(succeeded) == [
        "Check the tag, the tree and the changelog",
        "GitHub release and major tag",
        "Image builtin-2",  # act numbers matrix jobs
        "Image full-1",
        "Publish to PyPI",
        "Test command",
        "sdist and wheel",
    ], log[-6000:]
    assert "version=1.0.0" in log
    assert "baton_review-1.0.0-py3-none-any.whl" in log
    assert f"tags={IMAGE}:1.0.0,{IMAGE}:1.0,{IMAGE}:1" in log
    assert f"tags={IMAGE}:1.0.0-builtin,{IMAGE}:1.0-builtin,{IMAGE}:1-builtin" in log
    for skipped in ("gh-action-pypi-publish", "build-push-action", "gh release create"):
        assert f"Main {skipped}" not in log and f"⭐ Run Main {skipped}" not in log


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("v1.0.1", "no section '## [1.0.1]"),
        ("v1.0", "is not vMAJOR.MINOR.PATCH"),
    ],
    ids=["tag of another version than the commit pins", "tag that is not a version"],
)
def test_a_tag_that_does_not_match_stops_before_anything_is_built(
    engine: image.Engine, tmp_path: Path, act_names: str, tag: str, reason: str
) -> None:
    repo = released_project(tmp_path, "1.0.0", act_names)
    git(repo, "tag", tag)
    wheels = wheels_for_the_build(engine, tmp_path / "wheels")
    done = dry_run(engine, repo, tag, wheels, act_names)
    log = done.stdout + done.stderr
    assert done.returncode != 0, log[-4000:]
    errors = [line for line in log.splitlines() if "release: " in line and reason in line]
    assert errors, log[-4000:]
    assert "🏁  Job succeeded" not in log
    assert "Run Main Build" not in log
