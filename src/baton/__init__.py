"""baton: a review gate for pull and merge requests.

The public API is small: run a review programmatically with `review_change` on a
`ChangeSet` and read the resulting `Review`.
"""

from baton._version import __version__
from baton.change.model import ChangedFile, ChangeSet
from baton.findings.model import Confidence, Finding, Severity
from baton.report import Review

__all__ = [
    "ChangeSet",
    "ChangedFile",
    "Confidence",
    "Finding",
    "Review",
    "Severity",
    "__version__",
]
