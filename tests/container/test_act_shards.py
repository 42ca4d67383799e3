"""The README's GitHub workflow for a sharded review, run for real by `act` with artefacts.

A `review` job with a matrix of two shards runs the action with `shard: K/2`, leaves the
verdict to the merge job (`continue-on-error`) and uploads `.baton/` as the artefact
`baton-shard-K`; a `merge` job (`needs: review`, `if: always()`) downloads every
`baton-shard-*` into `.baton` and runs the action with `mode: merge`, which posts the one
review on the fake GitHub. Two act runs: all shards there (a leaked key in one: the merge job
fails), and shard 2's job broken before baton ran (no artefact: the merge is incomplete).

What act 0.2.89 needs here:
* Artefacts: act's own server of the protocol upload-artifact and download-artifact (v4 and
  later) speak (`--artifact-server-path`, on 127.0.0.1, which the job containers reach on the host's
  network). act cannot fetch those actions here, so `--local-repository` puts stand-ins in
  their place (tests/container/data/stand-in-actions, built by `act.stand_in_actions`):
  node20 ports of the actions' own code on the real `@actions/artifact` client, installed
  from the npm registry with the dependency tree of upload-artifact v4.6.2's own lock and
  bundled with ncc as the real actions are. They upload to and download from act's server
  for real, and behave as the real ones where it matters: without `include-hidden-files:
  true` a hidden path such as `.baton/` uploads nothing; several artefacts unpack into one
  folder each under `path` unless `merge-multiple: true`. (With the newest @azure/storage-blob
  instead of the 12.17.0 that v4.6.2 bundles, act 0.2.89 refuses the blob upload: 401.)
  The workflow names the README's versions, upload-artifact@v6 and download-artifact@v7 (the
  first on node24): their inputs, the hidden-file default and the layout are v4.6.2's (their
  action.yml and src/ read at those tags).
* Checkout: act copies the local repository into a job only for a checkout step without
  another `ref`; the README's names the head SHA, so `actions/checkout@v5` is a stand-in too,
  which fetches the repository (mounted read-only at /origin) and checks `ref` out.
* No `--bind`: each job has its own workspace, so a shard's reports reach the merge job only
  as an artefact. The job image is the local Debian base with git (the release workflow
  test's), with the machine's Node.js 20 mounted for the node20 actions.
* The action: its action.yml names the image built from this tree (`docker://…`) as a
  release names the published one, so act builds nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.container import act, image
from tests.container.test_act import ACTION, AWS_KEY, REPO
from tests.container.test_release_workflow import runner_image
from tests.fakes.github_api import FakeGitHub
from tests.fakes.github_shapes import pull_request_event
from tests.fakes.repos import GitRepo

pytestmark = pytest.mark.container

WORKFLOW_PATH = Path(".github/workflows/review.yml")

CHECKOUT = """\
      - uses: actions/checkout@v5
        with: {fetch-depth: 0, ref: "${{ github.event.pull_request.head.sha }}"}
"""
WORKFLOW = """\
name: @NAME@
on: pull_request
permissions: {contents: read, pull-requests: write}
jobs:
  review:
    strategy: {matrix: {shard: [1, 2]}}
    runs-on: ubuntu-latest
    steps:
@CHECKOUT@@BREAK@      - uses: ./@ACTION@
        continue-on-error: true          # the merge job decides
        with: {shard: "${{ matrix.shard }}/2"}
      - uses: actions/upload-artifact@v6
        if: always()
        with:
          name: "baton-shard-${{ matrix.shard }}"
          path: .baton/
          include-hidden-files: true     # .baton/ is hidden: without this nothing is uploaded
  merge:
    needs: review
    if: always()
    runs-on: ubuntu-latest
    steps:
@CHECKOUT@      - uses: actions/download-artifact@v7
        with: {pattern: "baton-shard-*", path: .baton, merge-multiple: true}
      - id: baton
        uses: ./@ACTION@
        with: {mode: merge}               # reads .baton/**/report.json
      - if: always()
        env:
          VERDICT: ${{ steps.baton.outputs.verdict }}
          EXIT_CODE: ${{ steps.baton.outputs.exit_code }}
        run: |
          find .baton -name report.json | sort | sed 's/^/merge job has /'
          echo "merged verdict=$VERDICT exit=$EXIT_CODE"
"""
"""The README's workflow (/tmp/readme_parts/github_matrix.md) with two shards, the action of
the workspace, and a last step that shows what the merge job had; `@BREAK@` is where a test
breaks shard 2's job."""
BREAK_SHARD_2 = """\
      - if: matrix.shard == 2
        run: echo "shard 2's runner went away" && exit 1
"""
CLEAN_CODE = "".join(f"def value_{n}():\n    return {n}\n\n\n" for n in range(6))
"""app/values.py: the change's longest file, so shard 1/2; app/keys.py (one line) is 2/2."""


def workflow_text(name: str, *, break_shard_2: bool = False) -> str:
    return (
        WORKFLOW.replace("@NAME@", name)
        .replace("@ACTION@", ACTION)
        .replace("@CHECKOUT@", CHECKOUT)
        .replace("@BREAK@", BREAK_SHARD_2 if break_shard_2 else "")
    )


@pytest.fixture
def workflow_name() -> Iterator[str]:
    """A name unique to the test; act's containers carry it, so they are removed by it."""
    name = f"baton-shards-{uuid.uuid4().hex[:8]}"
    yield name
    act.forget_run(name)


@pytest.fixture
def stand_ins(engine: image.Engine) -> Path:
    return act.stand_in_actions(engine)


def pull_request_repo(
    repo: GitRepo, fake: FakeGitHub, number: int, workflow: str, tag: str
) -> tuple[str, str]:
    """A repository with the workflow and the action, and a pull request that adds
    app/values.py (clean) and app/keys.py (a leaked AWS key): its base and head."""
    repo.git("remote", "add", "origin", f"https://github.com/{REPO}.git")
    repo.write("app/__init__.py", "")
    repo.write(str(WORKFLOW_PATH), workflow)
    action = (image.ROOT / "action.yml").read_text()
    built = "  image: Dockerfile\n"
    assert built in action
    # The image built from this tree, named as a release names the published one.
    repo.write(f"{ACTION}/action.yml", action.replace(built, f"  image: docker://{tag}\n"))
    repo.commit("base")
    base = repo.head()
    repo.branch("feature")
    repo.write("app/values.py", CLEAN_CODE)
    repo.write("app/keys.py", f'KEY = "{AWS_KEY}"\n')
    head = repo.commit("feature")
    diff = repo.git("diff", f"{base}...{head}") + "\n"
    fake.add_pull(REPO, number, diff=diff, head_sha=head, base_sha=base)
    return base, head


def run_workflow(
    engine: image.Engine,
    repo: GitRepo,
    fake: FakeGitHub,
    stand_ins: Path,
    event: dict[str, object],
) -> tuple[int, str]:
    """`act pull_request` on the repository's workflow: its exit code and its output. The
    repository is the origin the checkout stand-in fetches from (/origin)."""
    (repo.path.parent / "event.json").write_text(json.dumps(event))
    artifacts = repo.path.parent / "artifacts"
    artifacts.mkdir()
    options = f"--network host --volume {act.node_binary()}:/usr/local/bin/node:ro"
    done = subprocess.run(
        [
            act.act_binary(),
            "pull_request",
            "--workflows",
            str(repo.path / WORKFLOW_PATH),
            "--eventpath",
            str(repo.path.parent / "event.json"),
            "--platform",
            f"ubuntu-latest={runner_image(engine)}",
            "--pull=false",
            "--network",
            "host",
            "--container-options",
            f"{options} --volume {repo.path}:/origin:ro",
            "--secret",
            f"GITHUB_TOKEN={FakeGitHub.ACTIONS_TOKEN}",
            "--env",
            f"GITHUB_API_URL={fake.url}",
            "--env",
            f"GITHUB_REPOSITORY={REPO}",
            "--artifact-server-path",
            str(artifacts),
            "--artifact-server-addr",
            "127.0.0.1",
            "--artifact-server-port",
            str(act.free_port()),
            *act.local_repositories(stand_ins),
        ],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return done.returncode, done.stdout + done.stderr


def job_lines(log: str, job: str) -> str:
    """The lines act printed for one job (`[workflow/job] …`)."""
    return "\n".join(line for line in log.splitlines() if re.match(rf"\[[^\]/]*/{job} *\]", line))


def test_two_shard_jobs_upload_and_one_merge_job_posts_the_review_and_fails(
    engine: image.Engine,
    baton_image: str,
    stand_ins: Path,
    repo: GitRepo,
    fake_github: FakeGitHub,
    workflow_name: str,
) -> None:
    workflow = workflow_text(workflow_name)
    base, head = pull_request_repo(repo, fake_github, 7, workflow, baton_image)

    code, log = run_workflow(
        engine, repo, fake_github, stand_ins, pull_request_event(REPO, 7, base, head)
    )

    tail = log[-8000:]
    assert code != 0, tail
    shard_1, shard_2, merge = (job_lines(log, job) for job in ("review-1", "review-2", "merge"))
    assert "shard 1/2: 1 of 2 files" in shard_1 and "nothing is posted" in shard_1, tail
    assert "shard 2/2: 1 of 2 files" in shard_2 and "nothing is posted" in shard_2, tail
    assert "verdict: fail (exit 1)" in shard_2 and "Failed but continue next step" in shard_2
    for shard in (shard_1, shard_2):
        assert "🏁  Job succeeded" in shard, tail  # continue-on-error: the merge job decides
        # report.json, report.sarif, codequality.json and the folders' two .gitignore files
        assert "there will be 5 files uploaded" in shard, tail
        assert "has been successfully uploaded" in shard, tail
    assert "Total of 2 artifact(s) downloaded" in merge, tail
    reports = re.findall(r"\| merge job has (\S+)", merge)
    assert reports == [
        ".baton/report.json",
        ".baton/shard-1/report.json",
        ".baton/shard-2/report.json",
    ]
    assert "merging 2 shard reports" in merge, tail
    assert "merged verdict=fail exit=1" in merge, tail
    assert f"Failure - Main ./{ACTION}" in merge, tail
    writes = sorted((w.method, w.route) for w in fake_github.writes())
    assert writes == [  # the merge job's; a shard's summary would be a second comment
        ("POST", f"/repos/{REPO}/issues/7/comments"),
        ("POST", f"/repos/{REPO}/pulls/7/reviews"),
    ], writes
    comments = fake_github.comments(7)
    assert len(comments) == 1, tail
    assert AWS_KEY not in comments[0].body
    assert "AWS Access Key" in comments[0].body and "app/keys.py" in comments[0].body
    assert [c.path for c in fake_github.review_comments(7)] == ["app/keys.py"]


def test_a_shard_whose_artefact_is_missing_makes_the_merge_incomplete(
    engine: image.Engine,
    baton_image: str,
    stand_ins: Path,
    repo: GitRepo,
    fake_github: FakeGitHub,
    workflow_name: str,
) -> None:
    """Shard 2 (the one with the leaked key) breaks before baton runs: it uploads nothing, and
    the merge of shard 1 alone is incomplete, never a pass."""
    workflow = workflow_text(workflow_name, break_shard_2=True)
    base, head = pull_request_repo(repo, fake_github, 8, workflow, baton_image)

    code, log = run_workflow(
        engine, repo, fake_github, stand_ins, pull_request_event(REPO, 8, base, head)
    )

    tail = log[-8000:]
    assert code != 0, tail
    shard_1, shard_2, merge = (job_lines(log, job) for job in ("review-1", "review-2", "merge"))
    assert "shard 1/2:" in shard_1, tail
    assert "shard 2/2:" not in shard_2, tail
    assert "No files were found with the provided path: .baton/" in shard_2, tail
    assert "Total of 1 artifact(s) downloaded" in merge, tail
    assert re.findall(r"\| merge job has (\S+)", merge) == [
        ".baton/report.json",
        ".baton/shard-1/report.json",
    ]
    assert "merging 1 shard report" in merge and "shard 2/2 is missing" in merge, tail
    assert "merged verdict=incomplete exit=3" in merge, tail
    assert f"Failure - Main ./{ACTION}" in merge, tail
    comments = fake_github.comments(8)
    assert len(comments) == 1, tail
    assert "review incomplete" in comments[0].body and "shard 2/2 is missing" in comments[0].body
    assert not any(c.path == "app/keys.py" for c in fake_github.review_comments(8))


def test_the_upload_stand_in_skips_a_hidden_folder_unless_told(
    stand_ins: Path, tmp_path: Path
) -> None:
    """actions/upload-artifact@v4 (4.4.0 and later) with `path: .baton/`: nothing is found
    unless `include-hidden-files: true`, and then the reports and their .gitignore files are."""
    (tmp_path / ".baton" / "shard-1").mkdir(parents=True)
    (tmp_path / ".baton" / ".gitignore").write_text("*\n")
    (tmp_path / ".baton" / "shard-1" / ".gitignore").write_text("*\n")
    (tmp_path / ".baton" / "shard-1" / "report.json").write_text("{}\n")
    found = {}
    for hidden in ("false", "true"):
        done = subprocess.run(
            [str(act.node_binary()), str(stand_ins / "upload-artifact" / "dist" / "index.js")],
            cwd=tmp_path,
            env={
                "PATH": os.environ["PATH"],
                "INPUT_NAME": "baton-shard-1",
                "INPUT_PATH": ".baton/",
                "INPUT_IF-NO-FILES-FOUND": "error",
                "INPUT_INCLUDE-HIDDEN-FILES": hidden,
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        found[hidden] = (done.returncode, done.stdout)
    code, out = found["false"]
    assert code == 1 and "No files were found with the provided path: .baton/" in out, out
    code, out = found["true"]  # found, then stopped: no artifact server here
    assert "there will be 3 files uploaded" in out, out
    assert "ACTIONS_RUNTIME_TOKEN" in out, out
