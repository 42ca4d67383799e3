"""The review state a merged review leaves for the next run (`<!-- baton:state … -->`).

A shard records a state for its share only, and posts nothing: the state that counts is the
merge job's, built like a single job's from the combined review and the state of the earlier
comment on the change request, so findings keep the head they were first seen on and those
gone since are marked fixed. The configuration digest is the shards' own (the merge job may
run with other settings), or none when they disagree, which makes the next run review in
full. When a shard is missing, duplicated or foreign, the state records the review as
incomplete and no model agent as finished: the next run reviews everything again, since the
missing share's files were never reviewed.
"""

from __future__ import annotations

from collections.abc import Sequence

from baton.memory.context import Recalled
from baton.memory.record import record_state
from baton.memory.state import ReviewState
from baton.report import Review


def merged_state(
    combined: Review,
    shards: Sequence[Review],
    recalled: Recalled | None,
    *,
    whole: bool,
) -> ReviewState:
    """The state of `combined`; `whole` says every shard was there and belonged."""
    digests = {review.memory.config for review in shards if review.memory is not None}
    state = record_state(
        combined,
        previous=recalled.read.state if recalled is not None else None,
        subject=recalled.subject if recalled is not None else "",
        digest=digests.pop() if len(digests) == 1 else "",
    )
    if whole:
        return state
    return state.model_copy(update={"complete": False, "agents": {}})
