"""End to end: `baton review` in a GitHub-Actions-like environment against a fake GitHub.

Real git, real tools, real PyGithub; only GitHub itself is a local fake.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from baton.memory.state import ReviewState, Status, read_state
from baton.render.markdown import MARKER
from tests.fakes.baton_cli import Completed, run_baton
from tests.fakes.github_api import FakeGitHub, Fault
from tests.fakes.github_shapes import pull_request_event
from tests.fakes.repos import GitRepo

AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"
REPO = "acme/app"


class Job:
    """A pull request on the fake and the Actions environment of a job reviewing it."""

    def __init__(self, repo: GitRepo, fake: FakeGitHub, tmp: Path, **pull: Any) -> None:
        self.repo, self.fake, self.tmp = repo, fake, tmp
        base = repo.git("rev-parse", "main")
        head = repo.head()
        diff = repo.git("diff", "--find-renames", f"{base}...{head}") + "\n"
        self.pull = fake.add_pull(REPO, 7, diff=diff, head_sha=head, base_sha=base, **pull)
        event = pull_request_event(REPO, 7, base, head)
        (tmp / "event.json").write_text(json.dumps(event))
        self.output = tmp / "github_output"
        self.summary = tmp / "step_summary.md"

    def run(self, token: str = FakeGitHub.ACTIONS_TOKEN, **inputs: str) -> Completed:
        return self.command("review", token=token, **inputs)

    def command(
        self, *args: str, token: str = FakeGitHub.ACTIONS_TOKEN, **inputs: str
    ) -> Completed:
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(self.tmp / "event.json"),
            "GITHUB_API_URL": self.fake.url,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_SHA": "0" * 40,
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "INPUT_GITHUB_TOKEN": token,
            **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
        }
        return run_baton(*args, cwd=self.repo.path, env=env, timeout=180)

    def pushed(self) -> None:
        """The repository's new head pushed to the pull request, and the event says so."""
        diff = self.repo.git("diff", "main...HEAD") + "\n"
        self.fake.push(self.pull, diff=diff, head_sha=self.repo.head())
        event = json.loads((self.tmp / "event.json").read_text())
        event["pull_request"]["head"]["sha"] = self.repo.head()
        (self.tmp / "event.json").write_text(json.dumps(event))

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line and "<<" not in line)


@pytest.fixture
def job(repo: GitRepo, fake_github: FakeGitHub, tmp_path: Path) -> Job:
    repo.write("app/__init__.py", "")
    repo.write("app/util.py", "def helper():\n    return 1\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/keys.py", f'import os\n\nKEY = "{AWS_KEY}"\n')
    repo.write("app/util.py", "import sys\n\n\ndef helper():\n    return 1\n")
    repo.commit("feature")
    return Job(repo, fake_github, tmp_path)


def test_first_run_posts_one_comment_and_one_review_then_reruns_add_nothing(job: Job) -> None:
    first = job.run()

    assert first.code == 1, first.stderr
    comments = job.fake.comments(job.pull)
    reviews = job.fake.reviews(job.pull)
    assert len(comments) == 1 and comments[0].body.startswith(MARKER)
    assert AWS_KEY not in comments[0].body
    assert len(reviews) == 1
    inline = job.fake.review_comments(job.pull)
    assert {(c.path, c.line) for c in inline} == {
        ("app/keys.py", 3),
        ("app/keys.py", 1),
        ("app/util.py", 1),
    }
    assert len(job.fake.writes()) <= 3
    outputs = job.outputs()
    assert outputs["verdict"] == "fail" and outputs["exit_code"] == "1"
    assert outputs["critical_count"] == "1"
    assert outputs["report_json"] == ".baton/report.json"
    assert (job.repo.path / outputs["report_json"]).is_file()
    assert MARKER in job.summary.read_text()
    assert "::error file=app/keys.py,line=3" in first.stdout

    writes_before = len(job.fake.writes())
    second = job.run()

    assert second.code == 1
    assert len(job.fake.comments(job.pull)) == 1
    assert len(job.fake.reviews(job.pull)) == 1
    new_writes = job.fake.writes()[writes_before:]
    assert all(w.method == "PATCH" for w in new_writes)
    assert "still present" in job.fake.comments(job.pull)[0].body


def test_a_new_push_marks_fixed_and_comments_only_new_findings(job: Job) -> None:
    job.run()
    job.repo.write("app/keys.py", 'import os\n\nKEY = os.environ["KEY"]\n')
    job.repo.write("app/more.py", "import json\n")
    job.repo.commit("fix the key, add a module")
    job.pushed()

    rerun = job.run()

    assert rerun.code == 0, rerun.stdout
    body = job.fake.comments(job.pull)[0].body
    assert "findings fixed since" in body
    assert "app/keys.py:3" not in body
    assert "🆕 new" in body and "still present" in body
    reviews = job.fake.reviews(job.pull)
    assert len(reviews) == 2
    second_review = [c for c in job.fake.review_comments(job.pull) if c.path == "app/more.py"]
    assert [(c.path, c.line) for c in second_review] == [("app/more.py", 1)]


def test_a_marker_in_a_humans_comment_is_not_taken_over(job: Job) -> None:
    human = job.fake.add_comment(job.pull, f"{MARKER}\nI copied this.", author="octocat")

    job.run()

    comments = job.fake.comments(job.pull)
    assert len(comments) == 2
    assert next(c for c in comments if c.id == human.id).body == f"{MARKER}\nI copied this."


def test_fork_token_stops_after_the_first_403_and_the_verdict_stands(job: Job) -> None:
    done = job.run(token=FakeGitHub.READ_ONLY_TOKEN)

    assert done.code == 1
    writes = job.fake.writes()
    assert len(writes) == 1 and writes[0].status == 403
    assert "cannot write to this pull request" in done.stderr
    assert MARKER in job.summary.read_text()
    assert job.outputs()["verdict"] == "fail"


def test_anchors_github_rejects_are_dropped_and_listed(job: Job) -> None:
    """GitHub's diff lacks app/util.py (e.g. an older push): its comment is dropped, not lost."""
    job.fake.push(
        job.pull,
        diff=job.repo.git("diff", "main...HEAD", "--", "app/keys.py") + "\n",
        head_sha=job.repo.head(),
    )

    done = job.run()

    assert done.code == 1
    inline = job.fake.review_comments(job.pull)
    assert {c.path for c in inline} == {"app/keys.py"}
    body = job.fake.comments(job.pull)[0].body
    assert "1 inline comments were refused by GitHub" in body
    assert "app/util.py" in body
    assert len(job.fake.writes()) <= 3


def test_inline_can_be_switched_off_by_an_input(job: Job) -> None:
    job.run(inline="false")
    assert job.fake.reviews(job.pull) == []
    assert len(job.fake.comments(job.pull)) == 1


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limits_are_waited_out(job: Job, status: int) -> None:
    job.fake.inject(Fault.secondary_rate_limit(retry_after=1, status=status), times=1, on="writes")

    done = job.run()

    assert done.code == 1
    assert len(job.fake.comments(job.pull)) == 1
    assert len(job.fake.reviews(job.pull)) == 1
    limited = [w for w in job.fake.writes() if w.status == status]
    assert len(limited) == 1
    assert "warning" not in done.stderr.lower()


def test_a_push_event_writes_the_summary_only(job: Job) -> None:
    (job.tmp / "event.json").write_text(json.dumps({"ref": "refs/heads/feature"}))
    done = run_baton(
        "review",
        cwd=job.repo.path,
        env={
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_EVENT_NAME": "push",
            "GITHUB_EVENT_PATH": str(job.tmp / "event.json"),
            "GITHUB_API_URL": job.fake.url,
            "GITHUB_SHA": job.repo.head(),
            "GITHUB_STEP_SUMMARY": str(job.summary),
            "GITHUB_OUTPUT": str(job.output),
            "INPUT_GITHUB_TOKEN": FakeGitHub.ACTIONS_TOKEN,
            "INPUT_BASE": "main",
        },
    )

    assert done.code == 1, done.stderr
    assert job.fake.writes() == []
    assert MARKER in job.summary.read_text()
    assert job.outputs()["verdict"] == "fail"


def test_github_down_is_a_warning_and_the_verdict_stands(job: Job) -> None:
    job.fake.inject(Fault.server_error(502), times=100, on="any")

    done = job.run()

    assert done.code == 1
    assert "warning:" in done.stderr and "GitHub API" in done.stderr
    assert job.outputs()["verdict"] == "fail"
    assert MARKER in job.summary.read_text()


def test_shard_jobs_post_nothing_and_the_merge_job_posts_the_one_review(job: Job) -> None:
    """A matrix of `shard: K/2` jobs, then `baton merge .baton` as the merge job runs it."""
    for k in (1, 2):
        done = job.run(shard=f"{k}/2")
        assert done.code in (0, 1), done.stderr
        assert (job.repo.path / ".baton" / f"shard-{k}" / "report.json").is_file()
    assert (job.fake.comments(job.pull), job.fake.reviews(job.pull)) == ([], [])

    merged = job.command("merge", ".baton")

    assert merged.code == 1, merged.stderr
    assert "merging 2 shard reports" in merged.stderr
    comments = job.fake.comments(job.pull)
    assert len(comments) == 1 and comments[0].body.startswith(MARKER)
    assert len(job.fake.reviews(job.pull)) == 1
    assert any(c.path == "app/keys.py" for c in job.fake.review_comments(job.pull))
    assert json.loads((job.repo.path / ".baton" / "report.json").read_text())["shard"] is None


def sharded_run(job: Job, *shards: int) -> Completed:
    """Shard jobs `shards` of 2 on a fresh workspace's `.baton`, then the merge job."""
    shutil.rmtree(job.repo.path / ".baton", ignore_errors=True)
    for k in shards:
        assert job.run(shard=f"{k}/2").code in (0, 1)
    return job.command("merge", ".baton")


def state_of(job: Job) -> ReviewState:
    read = read_state(job.fake.comments(job.pull)[0].body)
    assert read.state is not None, read.reason
    return read.state


def test_a_merged_review_remembers_across_pushes_like_a_single_job(job: Job) -> None:
    first_head = job.repo.head()
    assert sharded_run(job, 1, 2).code == 1
    first = state_of(job)
    assert (first.head, first.subject, first.complete) == (first_head, "github#7", True)
    key = next(r for r in first.findings if r.path == "app/keys.py" and r.line == 3)
    unused = next(r for r in first.findings if r.path == "app/util.py")

    job.repo.write("app/keys.py", 'import os\n\nKEY = os.environ["KEY"]\n')
    job.repo.commit("fix the key")
    job.pushed()
    second = sharded_run(job, 1, 2)

    assert second.code == 0, second.stderr
    assert len(job.fake.comments(job.pull)) == 1
    assert "findings fixed since" in job.fake.comments(job.pull)[0].body
    records = {r.fingerprint: r for r in state_of(job).findings}
    assert records[key.fingerprint].status is Status.FIXED
    assert records[unused.fingerprint].first_seen == first_head[:12]

    missing = sharded_run(job, 1)

    assert missing.code == 3, missing.stderr
    assert state_of(job).complete is False
    summary = json.loads((job.repo.path / ".baton" / "report.json").read_text())
    assert (summary["files_changed"], summary["lines_added"]) == (2, 6)  # the whole change
