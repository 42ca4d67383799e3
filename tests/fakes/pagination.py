"""Page-numbered lists, as the GitHub and GitLab REST APIs answer them: the `page` and
`per_page` query parameters, the slice of the list they pick, and the `Link` header that names
the other pages.

`per_page` is clamped to 1..100 (a missing or non-numeric value: the platform's default),
`page` counts from 1, and a page past the end is empty; an empty list still has one page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def int_param(value: str | None, default: int) -> int:
    """A query parameter as a number; `default` when missing or not a number."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Page:
    """Page `number` of a list of `total` items, `per_page` items a page."""

    number: int
    per_page: int
    total: int

    @classmethod
    def asked(cls, query: Mapping[str, str], total: int, *, default_per_page: int) -> Page:
        """The page `query` asks for."""
        per_page = min(max(int_param(query.get("per_page"), default_per_page), 1), 100)
        return cls(max(int_param(query.get("page"), 1), 1), per_page, total)

    @property
    def last(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def prev(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.last else None

    def cut(self, items: Sequence[T]) -> Sequence[T]:
        """This page's share of `items`."""
        return items[(self.number - 1) * self.per_page : self.number * self.per_page]

    def link(
        self, url: Callable[[int], str], rels: Sequence[str], *, edges_always: bool = True
    ) -> str:
        """A `Link` header value: `<url(page)>; rel="..."` for each of `rels` ("prev", "next",
        "first", "last"), in the order given, that names a page. "prev" and "next" exist only
        beside this page; "first" and "last" always (GitLab), or with `edges_always=False` only
        where "prev" and "next" do (github.com). Empty when no rel applies."""
        pages = {
            "prev": self.prev,
            "next": self.next,
            "first": 1 if edges_always or self.prev else None,
            "last": self.last if edges_always or self.next else None,
        }
        return ", ".join(
            f'<{url(number)}>; rel="{rel}"' for rel in rels if (number := pages[rel]) is not None
        )
