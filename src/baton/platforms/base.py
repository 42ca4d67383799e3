"""The platform interface: where a change comes from and where its review is published.

A platform reads the CI job's environment (`load`), can fetch the diff through its API
when the checkout lacks history (`fetch_diff`), and publishes a finished review
(`publish`). Publishing never changes the verdict: its failures come back as warnings.
Adding a platform means one module (or folder) here and one line in `platforms.detect`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from baton.change.model import ChangeSet
from baton.report import Review


class ChangeRequest(BaseModel):
    """A pull or merge request (or, for other events, just the commits to compare)."""

    model_config = ConfigDict(frozen=True)

    platform: str
    event: str
    number: int | None = None
    base_sha: str | None = None
    head_sha: str | None = None
    base_ref: str | None = None
    head_ref: str | None = None
    title: str = ""
    url: str | None = None
    draft: bool = False
    is_fork: bool = False


@dataclass
class Published:
    """What publishing did: counts for the log, warnings for the job output and summary."""

    summary: str = "not posted"
    inline_posted: int = 0
    warnings: list[str] = field(default_factory=list)


class Platform(Protocol):
    @property
    def name(self) -> str: ...

    def load(self) -> ChangeRequest:
        """The change request this job is about, from the CI environment."""
        ...

    def fetch_diff(self, request: ChangeRequest) -> bytes:
        """A unified diff of the change from the platform's API (no local history needed)."""
        ...

    def read_file(self, request: ChangeRequest, path: str, ref: str) -> str | None:
        """The UTF-8 text of `path` at commit `ref`, from the platform's API; None when it does
        not exist there. Any other failure is an `IncompleteReviewError`."""
        ...

    def list_files(self, request: ChangeRequest, folder: str, ref: str) -> list[str]:
        """Repository-relative paths of the files directly inside `folder` at `ref` (sorted;
        [] when the folder does not exist). Any other failure is an `IncompleteReviewError`."""
        ...

    def publish(self, review: Review, change: ChangeSet, request: ChangeRequest) -> Published:
        """Post or update the review; never raises for platform errors."""
        ...
