"""Recognising what baton left on a change request, on every platform.

* `inline_fingerprint(body)`: the finding an inline comment of baton's is about, from the hidden
  marker `render.inline` ends it with (`<!-- baton:inline FINGERPRINT -->`); None for any other
  text. Whether the comment is baton's own is the author's business (each platform checks it).
* `fixed_fingerprints(review, history)`: the findings the previous review reported and this one
  no longer does — neither as a finding nor as a suppressed one — the "fixed" findings the
  summary counts, whose threads are resolved.
"""

from __future__ import annotations

import re

from baton.render.inline import INLINE_MARKER
from baton.render.markdown import History
from baton.report import Review

_INLINE = re.compile(re.escape(INLINE_MARKER).replace(re.escape("{}"), "([0-9a-f-]+)"))


def inline_fingerprint(body: str | None) -> str | None:
    """The fingerprint in the hidden marker of one of baton's inline comments."""
    match = _INLINE.search(body or "")
    return None if match is None else match.group(1)


def fixed_fingerprints(review: Review, history: History | None) -> frozenset[str]:
    """Fingerprints `history` lists that `review` reports neither as findings nor as
    suppressed ones."""
    if history is None:
        return frozenset()
    current = {f.fingerprint for f in review.findings}
    current |= {s.finding.fingerprint for s in review.suppressed}
    return history.fingerprints - current
