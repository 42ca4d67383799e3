"""End to end: `baton review` in a GitLab-CI-like environment against a fake GitLab.

Real git, real tools, real python-gitlab; only GitLab itself is a local fake.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton.render.markdown import MARKER
from tests.fakes.baton_cli import Completed, run_baton
from tests.fakes.gitlab_api import FakeGitLab, Fault
from tests.fakes.repos import GitRepo

AWS_KEY = "AKIAZ3MHQX7TQ2VJ5K4P"
PROJECT = "acme/app"


class Job:
    def __init__(self, repo: GitRepo, fake: FakeGitLab, *, sub_path: bool = False) -> None:
        self.repo, self.fake = repo, fake
        self.base = repo.git("rev-parse", "main")
        self.sub_path = sub_path
        self.mr = fake.add_merge_request(
            PROJECT, 7, diff=self.diff(), base_sha=self.base, head_sha=repo.head()
        )

    def diff(self) -> str:
        return self.repo.git("diff", "--find-renames", f"{self.base}...HEAD") + "\n"

    def run(self, token: str | None = FakeGitLab.BOT_TOKEN, **extra: str) -> Completed:
        api = self.fake.sub_path_api_url if self.sub_path else self.fake.api_url
        env = {
            "GITLAB_CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_API_V4_URL": api,
            "CI_SERVER_URL": self.fake.url,
            "CI_PROJECT_ID": str(self.mr.project.id),
            "CI_MERGE_REQUEST_PROJECT_ID": str(self.mr.project.id),
            "CI_MERGE_REQUEST_PROJECT_URL": f"{self.fake.url}/{PROJECT}",
            "CI_MERGE_REQUEST_IID": "7",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": self.base,
            "CI_COMMIT_SHA": self.repo.head(),
            "CI_JOB_TOKEN": FakeGitLab.JOB_TOKEN,
            **({"GITLAB_TOKEN": token} if token else {}),
            **extra,
        }
        return run_baton("review", cwd=self.repo.path, env=env, timeout=180)


@pytest.fixture
def job(repo: GitRepo, fake_gitlab: FakeGitLab) -> Job:
    repo.write("app/__init__.py", "")
    repo.write("app/util.py", "def helper():\n    return 1\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/keys.py", f'import os\n\nKEY = "{AWS_KEY}"\n')
    repo.write("app/util.py", "import sys\n\n\ndef helper():\n    return 1\n")
    repo.commit("feature")
    return Job(repo, fake_gitlab)


def baton_notes(job: Job) -> list[str]:
    return [n.body for n in job.fake.notes(job.mr) if n.body.startswith(MARKER)]


def line_threads(job: Job) -> list[tuple[str, int]]:
    found = []
    for discussion in job.fake.discussions(job.mr):
        position = discussion.notes[0].position
        if position:
            found.append((position["new_path"], position["new_line"]))
    return sorted(found)


def test_first_run_posts_a_note_and_discussions_then_a_rerun_adds_nothing(job: Job) -> None:
    first = job.run()

    assert first.code == 1, first.stderr
    assert len(baton_notes(job)) == 1
    assert AWS_KEY not in baton_notes(job)[0]
    assert line_threads(job) == [("app/keys.py", 1), ("app/keys.py", 3), ("app/util.py", 1)]
    report = json.loads((job.repo.path / ".baton" / "codequality.json").read_text())
    assert any(
        e["severity"] == "blocker" and e["location"]["path"] == "app/keys.py" for e in report
    )

    before = len(job.fake.writes())
    second = job.run()

    assert second.code == 1
    assert len(baton_notes(job)) == 1
    assert len(line_threads(job)) == 3
    assert all(w.method == "PUT" for w in job.fake.writes()[before:])
    assert "still present" in baton_notes(job)[0]


def test_a_push_resolves_fixed_discussions_and_comments_new_findings(job: Job) -> None:
    job.run()
    job.repo.write("app/keys.py", 'import os\n\nKEY = os.environ["KEY"]\n')
    job.repo.write("app/more.py", "import json\n")
    job.repo.commit("fix the key")
    job.fake.push(job.mr, job.repo.head(), diff=job.diff())

    rerun = job.run()

    assert rerun.code == 0, rerun.stdout
    note = baton_notes(job)[0]
    assert "findings fixed since" in note and "🆕 new" in note
    resolved = [d for d in job.fake.discussions(job.mr) if d.resolvable and d.resolved]
    places = {(d.notes[0].position or {}).get("new_line") for d in resolved}
    assert places == {1, 3}  # the key, and `import os` (now used)
    assert ("app/more.py", 1) in line_threads(job)


def test_a_position_gitlab_drops_lands_in_the_note(job: Job) -> None:
    """GitLab's diff lacks app/util.py (an older version): that finding goes to the note."""
    only_keys = job.repo.git("diff", f"{job.base}...HEAD", "--", "app/keys.py") + "\n"
    job.fake.push(job.mr, "f" * 40, diff=only_keys)

    done = job.run()

    assert done.code == 1
    assert ("app/util.py", 1) not in line_threads(job)
    note = baton_notes(job)[0]
    assert "could not be placed on their line by GitLab" in note
    assert "app/util.py" in note


def test_only_the_job_token_says_so_and_still_reports(job: Job) -> None:
    done = job.run(token=None)

    assert done.code == 1
    assert "CI_JOB_TOKEN" in done.stderr and "GITLAB_TOKEN" in done.stderr
    assert job.fake.writes() == []
    assert (job.repo.path / ".baton" / "codequality.json").is_file()


def test_a_read_only_token_stops_after_the_first_refusal(job: Job) -> None:
    done = job.run(token=FakeGitLab.READ_API_TOKEN)

    assert done.code == 1
    writes = job.fake.writes()
    assert len(writes) == 1 and writes[0].status in (401, 403)
    assert "may not write" in done.stderr


def test_self_managed_sub_path_and_a_human_copy_of_the_marker(job: Job) -> None:
    job.sub_path = True
    job.fake.add_note(job.mr, f"{MARKER}\nquoted by a person", author="alice")

    done = job.run()

    assert done.code == 1
    bodies = [n.body for n in job.fake.notes(job.mr)]
    assert f"{MARKER}\nquoted by a person" in bodies
    assert len(baton_notes(job)) == 2  # the person's copy, untouched, and baton's own


def test_history_missing_falls_back_to_the_diffs_api(job: Job, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    job.repo.git("clone", "-q", "--depth", "1", f"file://{job.repo.path}", str(shallow))
    job.repo = GitRepo.__new__(GitRepo)
    job.repo.path = shallow

    done = job.run()

    assert done.code == 1, done.stderr
    assert "asking gitlab instead" in done.stderr
    assert len(line_threads(job)) == 3


def test_rate_limits_are_waited_out(job: Job) -> None:
    job.fake.inject(Fault.rate_limit(retry_after=1), times=2, on="writes")

    done = job.run()

    assert done.code == 1
    assert len(baton_notes(job)) == 1
    assert len(line_threads(job)) == 3
    assert sum(1 for w in job.fake.writes() if w.status == 429) == 2
    assert "warning" not in done.stderr.lower()
