"""A merge request on the fake GitLab that follows a local checkout, and the environment of the
merge request pipeline job that reviews it — run after run, push after push.

`job.env()` opens merge request !7 from the checkout's `HEAD` into `main` on the first call and
adds a diff version for each later head (base: `main`'s current commit), then gives the job's
variables, with `GITLAB_TOKEN` the fake's bot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.gitlab_api import FakeGitLab
from tests.fakes.gitlab_state import MergeRequest
from tests.fakes.repos import git_in

PROJECT = "acme/app"
IID = 7


@dataclass
class MergeRequestJob:
    fake: FakeGitLab
    checkout: Path
    mr: MergeRequest | None = field(default=None, init=False)

    def env(self) -> dict[str, str]:
        base, head = self._git("rev-parse", "main"), self._git("rev-parse", "HEAD")
        diff = self._git("diff", "--find-renames", f"{base}...{head}") + "\n"
        if self.mr is None:
            self.mr = self.fake.add_merge_request(
                PROJECT, IID, diff=diff, base_sha=base, head_sha=head
            )
        elif self.mr.version.head_sha != head:
            self.fake.push(self.mr, head, diff=diff, base_sha=base)
        return {
            "GITLAB_CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_API_V4_URL": self.fake.api_url,
            "CI_SERVER_URL": self.fake.url,
            "CI_PROJECT_ID": str(self.mr.project.id),
            "CI_MERGE_REQUEST_PROJECT_ID": str(self.mr.project.id),
            "CI_MERGE_REQUEST_PROJECT_URL": f"{self.fake.url}/{PROJECT}",
            "CI_MERGE_REQUEST_IID": str(IID),
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
            "CI_COMMIT_SHA": head,
            "CI_JOB_TOKEN": FakeGitLab.JOB_TOKEN,
            "GITLAB_TOKEN": FakeGitLab.BOT_TOKEN,
        }

    def _git(self, *args: str) -> str:
        return git_in(self.checkout, *args)
