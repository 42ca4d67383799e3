"""The platform interface: where a change comes from and where its review is published.

A platform reads the CI job's environment (`load`), can fetch the diff through its API
when the checkout lacks history (`fetch_diff`), recalls what its earlier runs left on the
change request (`recall`: baton's own summary, and replies to baton's inline comments), and
publishes a finished review (`publish`). Publishing never changes the verdict: its failures
come back as warnings.
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


@dataclass(frozen=True)
class Reply:
    """A reply in the thread of one of baton's inline comments (GitHub: a review comment
    answering it; GitLab: a later note in its discussion)."""

    fingerprint: str
    """The finding the inline comment is about (its `<!-- baton:inline FP -->` marker); empty
    when the comment it answers no longer exists."""
    author: str
    can_write: bool
    """The author may write to the repository: GitHub `author_association` OWNER, MEMBER or
    COLLABORATOR; GitLab access level Developer (30) or higher."""
    body: str
    url: str | None = None


@dataclass
class Recall:
    """What earlier runs left on the change request, read before the review."""

    summary: str | None = None
    """The body of baton's own summary comment or note (found by marker and author)."""
    replies: list[Reply] = field(default_factory=list)
    """Replies to baton's inline comments, oldest first."""
    warnings: list[str] = field(default_factory=list)
    """What could not be read (each a reason to review in full, never a failure)."""


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

    def recall(self, request: ChangeRequest) -> Recall:
        """baton's summary and the replies to its inline comments; never raises for platform
        errors (they come back as warnings)."""
        ...

    def publish(self, review: Review, change: ChangeSet, request: ChangeRequest) -> Published:
        """Post or update the review; never raises for platform errors."""
        ...
