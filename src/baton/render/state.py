"""The machine-readable block that ends every comment, and reading it back.

The comment's last line is `<!-- baton:state {json} -->` with
`{"version": 1, "head": …, "verdict": …, "fingerprints": […]}`, which lets a later run
update its own sticky comment and tell new findings from known ones. The JSON is ASCII with
`<`, `>` and `&` written as `\\u003c`, `\\u003e` and `\\u0026`, so it can never close the HTML
comment (`-->`) that hides it. When the fingerprints would take more than the given budget,
the most severe ones that fit are kept and `"omitted"` says how many were left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from baton.findings.model import Finding
from baton.report import Review

STATE_VERSION = 1
STATE_PREFIX = "<!-- baton:state "
STATE_SUFFIX = " -->"
_STATE_AT_END = re.compile(r"<!-- baton:state (\{[^\n]*\}) -->\s*\Z")


def state_block(
    review: Review,
    findings: Sequence[Finding],
    *,
    budget: int,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The state comment for `review`, fingerprints in the order of `findings`, ≤ `budget`."""
    prints = list(dict.fromkeys(f.fingerprint for f in findings if f.fingerprint))
    state: dict[str, Any] = {
        **(extra or {}),
        "version": STATE_VERSION,
        "head": review.head,
        "verdict": review.gate.verdict.value,
        "fingerprints": prints,
    }
    block = _block(state)
    if len(block) <= budget:
        return block
    lo, hi = 0, len(prints)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        state.update(fingerprints=prints[:mid], omitted=len(prints) - mid)
        if len(_block(state)) <= budget:
            lo = mid
        else:
            hi = mid - 1
    state.update(fingerprints=prints[:lo], omitted=len(prints) - lo)
    return _block(state)


def parse_state(body: str) -> dict[str, Any] | None:
    """The state of a comment this module wrote, or None when `body` ends with no valid one.

    Only a block at the very end counts, so text quoted earlier in the comment cannot
    pose as the state.
    """
    match = _STATE_AT_END.search(body)
    if match is None:
        return None
    try:
        state = json.loads(match.group(1))
    except ValueError:
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    return state


def _block(state: dict[str, Any]) -> str:
    text = json.dumps(state, ensure_ascii=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"{STATE_PREFIX}{text}{STATE_SUFFIX}"
