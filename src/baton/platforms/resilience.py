"""Calling a platform's API that misbehaves: how long a request may take, when to ask again,
and how to create a comment at most once.

The clients (PyGithub, python-gitlab) retry rate limits, server errors, resets and timeouts
themselves; what reaches baton is what they gave up on, and answers they could not read (cut
short, or not JSON), which they never retry. So:

* `api_timeout(environ)`: seconds a request may take to connect, and to wait for each part of
  its answer: 30, or `PLATFORM_API_TIMEOUT` from the environment (a number of seconds; not a
  `BATON_*` variable, which would have to be a setting).
* `read_again(read, unreadable)`: a read, or a write that is safe to repeat (editing a comment),
  whose answer could not be read is sent again, twice at most.
* `create_once(create, landed, transient)`: a write that creates something is sent again after
  a transient failure only when `landed()` shows that the first one did not arrive: an answer
  lost after GitHub or GitLab carried the request out never becomes a duplicate comment.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from baton.errors import UsageError

T = TypeVar("T")

TIMEOUT_VARIABLE = "PLATFORM_API_TIMEOUT"
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 600.0
PAUSES = (0.1, 0.5)
"""Seconds before the second and the third attempt."""


def api_timeout(environ: Mapping[str, str]) -> float:
    """The request timeout in seconds: `PLATFORM_API_TIMEOUT`, else 30."""
    raw = environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:
        raise UsageError(
            f"{TIMEOUT_VARIABLE} must be a number of seconds above 0 and at most "
            f"{MAX_TIMEOUT:.0f}, not {raw!r}"
        )
    return seconds


def read_again(read: Callable[[], T], unreadable: tuple[type[BaseException], ...]) -> T:
    """`read()`, sent again (twice at most) while its answer raises one of `unreadable`."""
    for pause in PAUSES:
        try:
            return read()
        except unreadable:
            time.sleep(pause)
    return read()


def create_once(
    create: Callable[[], T],
    landed: Callable[[], bool],
    transient: Callable[[Exception], bool],
) -> T | None:
    """`create()`'s result; None when it failed but `landed()` then found it had arrived.

    After a failure that `transient` accepts, `landed()` looks whether the request was carried
    out all the same; only when it was not is `create()` tried again (three tries in all). Any
    other failure, the last one, or a failure of `landed()` itself is raised.
    """
    for pause in PAUSES:
        try:
            return create()
        except Exception as err:
            if not transient(err):
                raise
            time.sleep(pause)
            try:
                arrived = landed()
            except Exception:
                raise err from None
            if arrived:
                return None
    return create()
