"""Planned faults and the request log of the fake REST APIs (GitHub, GitLab), and the order in
which their handlers meet them.

A test plans faults with `inject(fault, times=N, on="writes"|"reads"|"any", path=regex,
method=M, after=K)`: each makes a `FaultRule`; rules are tried in the order they were added and
the first matching rule with uses left takes the request (once `after` matching requests went
through).
Every request is logged first (under its canonical route), then may meet a fault: an HTTP error
answer, a hang (closed when the fake stops or after its `seconds`), a reset, a lost answer,
which is carried out like any request and then never answered, or a truncated or malformed
answer, carried out too and then sent damaged (what a dropped connection or a broken proxy in
between does to an answer: the API itself never sends one). Every other fault comes before the
request is handled, so it changes nothing.
`PlannedFault` and `LoggedRequest` are what the platforms' `Fault`s and `RecordedRequest`s
share; their error bodies and headers, and what else they log, are in `github_traffic` and
`gitlab_traffic`.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Self, TypeVar

from tests.fakes.server import FakeHandler, ServedFake

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})

Scope = Literal["writes", "reads", "any"]
Answer = tuple[int, Any, dict[str, str]]  # status, body (JSON unless bytes), extra headers


@dataclass(frozen=True)
class PlannedFault:
    """What every platform's `Fault` is: a `kind`, the `label` the request log gives it, and
    for a hang or lost answer the `seconds` before the connection is closed (None: when the
    fake stops). The platform adds what its "http" answers say; build one with its class
    methods, these three included."""

    kind: Literal["http", "hang", "lost", "reset", "truncated", "malformed"]
    label: str
    seconds: float | None = field(default=None, kw_only=True)

    @classmethod
    def hang(cls, seconds: float | None = None) -> Self:
        """No answer; the connection is closed after `seconds` (None: when the fake stops)."""
        return cls("hang", "hang", seconds=seconds)

    @classmethod
    def lost_answer(cls, seconds: float | None = None) -> Self:
        """The request is carried out (a write is stored) but its answer never comes: like
        `hang`, the connection is closed after `seconds`. A client that retries duplicates."""
        return cls("lost", "lost answer", seconds=seconds)

    @classmethod
    def reset(cls) -> Self:
        """The connection is reset before any answer."""
        return cls("reset", "reset")

    @classmethod
    def truncated(cls) -> Self:
        """The request is carried out; its answer's headers promise the whole body
        (`content-length`), half of it comes, and the connection closes. An answer without a
        body (204) comes whole."""
        return cls("truncated", "truncated answer")

    @classmethod
    def malformed(cls) -> Self:
        """The request is carried out; its answer is complete as HTTP (`content-length` fits)
        but its body is the first half of the JSON, so not JSON. An answer without a body (204)
        comes whole."""
        return cls("malformed", "malformed answer")


@dataclass
class LoggedRequest:
    """What every platform's `RecordedRequest` holds: the request as sent (`route` is the
    canonical API path the log filters and fault rules match), the status it was answered
    with (None for a hang or reset) and its `outcome`: "ok", "refused" (4xx from validation
    or auth), "unserved" (no such route), or the fault's label. Times are
    `time.monotonic()`; the fields settle once `finished_at` is set."""

    method: str
    path: str
    route: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int | None = field(default=None, kw_only=True)
    outcome: str = field(default="in progress", kw_only=True)
    received_at: float = field(default_factory=time.monotonic, kw_only=True)
    finished_at: float | None = field(default=None, kw_only=True)

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


F = TypeVar("F", bound=PlannedFault)
R = TypeVar("R", bound=LoggedRequest)


@dataclass
class FaultRule(Generic[F]):
    """`fault` for the next `times` requests in `on` (and with `method`, when given) whose route
    matches the `path` regex, after letting the first `after` of them through."""

    fault: F
    times: int
    on: Scope = "writes"
    path: str | None = None
    hits: int = 0
    after: int = 0
    method: str | None = None

    def take(self, method: str, route: str) -> bool:
        """Use one of the rule's turns on this request if it matches; True if it did."""
        if self.hits >= self.times:
            return False
        writes = method in WRITE_METHODS
        if (self.on == "writes" and not writes) or (self.on == "reads" and writes):
            return False
        if self.path is not None and not re.search(self.path, route):
            return False
        if self.method is not None and method != self.method:
            return False
        if self.after > 0:
            self.after -= 1
            return False
        self.hits += 1
        return True


@dataclass
class Traffic(Generic[F, R]):
    """Planned faults and the request log, behind the lock that also guards the fake's state
    (a platform's backend extends it with that state)."""

    rules: list[FaultRule[F]] = field(default_factory=list)
    log: list[R] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def take_fault(self, method: str, route: str) -> F | None:
        for rule in self.rules:
            if rule.take(method, route):
                return rule.fault
        return None


class RecordingFake(ServedFake, Generic[F, R]):
    """A served fake with planned faults and a request log: `inject`, `requests`, `writes`."""

    _backend: Traffic[F, R]

    def inject(
        self,
        fault: F,
        *,
        times: int = 1,
        on: Scope = "writes",
        path: str | None = None,
        method: str | None = None,
        after: int = 0,
    ) -> FaultRule[F]:
        """Answer with `fault` the next `times` requests in `on` ("writes", "reads", "any"),
        and with `method` when given, whose canonical route matches the `path` regex, once
        `after` of them went through; the rule returned counts its `hits`."""
        rule = FaultRule(fault, times, on, path, after=after, method=method)
        with self._backend.lock:
            self._backend.rules.append(rule)
        return rule

    def requests(self, *, method: str | None = None, route: str | None = None) -> list[R]:
        """Requests received, oldest first; `route` is a regex searched in the canonical path."""
        with self._backend.lock:
            return [
                r
                for r in self._backend.log
                if (method is None or r.method == method)
                and (route is None or re.search(route, r.route))
            ]

    def writes(self) -> list[R]:
        """Every non-GET request received (faulted and refused ones included), oldest first."""
        return [request for request in self.requests() if request.is_write]


T = TypeVar("T", bound=Traffic[Any, Any])


class ApiHandler(FakeHandler[T], Generic[T, F, R]):
    """A REST fake's handler: `respond()` logs a request, meets its fault if one is planned,
    and otherwise answers it (`answer` runs under the backend's lock)."""

    def canonical(self, route: str) -> str:
        """The route the log keeps and fault rules match (called under the lock)."""
        return route

    def encode(self, answer: Answer, request: R) -> tuple[int, dict[str, str], bytes]:
        """The status, headers (without `content-length`) and body bytes of `answer`."""
        raise NotImplementedError

    def send_answer(self, answer: Answer, request: R) -> None:
        self.send_whole(*self.encode(answer, request), request)

    def send_fault(self, fault: F, request: R) -> None:
        """Send an "http" fault's answer."""
        raise NotImplementedError

    def send_damaged(self, fault: F, answer: Answer, request: R) -> None:
        """`answer` cut short (truncated) or cut to half its JSON (malformed)."""
        status, headers, data = self.encode(answer, request)
        half = data[: len(data) // 2]
        if not data or fault.kind == "malformed":
            self.send_whole(status, headers, half, request)
            return
        self.send_head(status, {**headers, "content-length": str(len(data))}, request)
        self.wfile.write(half)
        self.wfile.flush()  # the connection then closes (FIN) with the rest never sent

    def respond(self, request: R, answer: Callable[[], Answer]) -> None:
        backend = self.server.backend
        with backend.lock:
            request.route = self.canonical(request.route)
            backend.log.append(request)
            fault: F | None = backend.take_fault(request.method, request.route)
        with self.logged(request):
            if fault is not None and fault.kind in ("http", "hang", "reset"):
                request.outcome = fault.label
                if fault.kind == "http":
                    self.send_fault(fault, request)
                elif fault.kind == "hang":
                    self.wait(fault.seconds)
                else:
                    self.reset_connection()
                return
            with backend.lock:
                found = answer()
            if fault is None:
                self.send_answer(found, request)
                return
            request.outcome = f"{fault.label} ({found[0]})"
            if fault.kind == "lost":
                self.wait(fault.seconds)
            else:
                self.send_damaged(fault, found, request)
