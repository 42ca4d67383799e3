"""The page-numbered lists both fake REST APIs answer: which slice a query picks, and which
pages the `Link` header names at the ends of a list (the middle pages are pinned through the
real clients in test_github_api.py and test_gitlab_api.py)."""

from __future__ import annotations

from tests.fakes.pagination import Page

GITHUB_ORDER = ("prev", "next", "last", "first")
GITLAB_ORDER = ("prev", "next", "first", "last")


def url(number: int) -> str:
    return f"http://fake/items?page={number}"


def rels(header: str) -> list[tuple[str, int]]:
    """(rel, page) pairs of a `Link` header, in its order."""
    found = []
    for part in header.split(", "):
        target, rel = part.split("; ")
        found.append((rel.removeprefix('rel="').removesuffix('"'), int(target.split("=")[-1][:-1])))
    return found


def test_per_page_is_clamped_and_bad_numbers_fall_back_to_the_defaults() -> None:
    assert Page.asked({"per_page": "500", "page": "x"}, 250, default_per_page=30) == Page(
        1, 100, 250
    )
    assert Page.asked({"per_page": "0", "page": "-4"}, 3, default_per_page=30).per_page == 1
    assert Page.asked({"per_page": "abc"}, 3, default_per_page=20).per_page == 20


def test_a_page_past_the_end_is_empty_and_an_empty_list_has_one_page() -> None:
    items = list(range(45))
    assert list(Page.asked({"page": "9"}, 45, default_per_page=20).cut(items)) == []
    assert list(Page.asked({"page": "3"}, 45, default_per_page=20).cut(items)) == items[40:]
    assert Page.asked({}, 0, default_per_page=30).last == 1


def test_github_names_first_and_last_only_away_from_them() -> None:
    first = Page.asked({"per_page": "2"}, 5, default_per_page=30)
    last = Page.asked({"per_page": "2", "page": "3"}, 5, default_per_page=30)
    only = Page.asked({}, 5, default_per_page=30)
    assert rels(first.link(url, GITHUB_ORDER, edges_always=False)) == [("next", 2), ("last", 3)]
    assert rels(last.link(url, GITHUB_ORDER, edges_always=False)) == [("prev", 2), ("first", 1)]
    assert only.link(url, GITHUB_ORDER, edges_always=False) == ""


def test_gitlab_names_first_and_last_on_every_page() -> None:
    first = Page.asked({"per_page": "2"}, 5, default_per_page=20)
    only = Page.asked({}, 5, default_per_page=20)
    assert rels(first.link(url, GITLAB_ORDER)) == [("next", 2), ("first", 1), ("last", 3)]
    assert rels(only.link(url, GITLAB_ORDER)) == [("first", 1), ("last", 1)]
