"""Reading rendered markdown back with a real CommonMark + GFM-tables parser (markdown-it-py).

The tests check what a reader would get: which HTML, links, images and headings the
comment contains and what text it shows, rather than how the source happens to look.
"""

from __future__ import annotations

from collections.abc import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

ZWSP = "\u200b"


def parser(*, linkify: bool = False) -> MarkdownIt:
    """GitHub-like: CommonMark with raw HTML, tables, strikethrough (and optionally linkify)."""
    if linkify:
        return MarkdownIt("gfm-like")
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def tokens(body: str, *, linkify: bool = False) -> list[Token]:
    """Every token, block and inline, in document order."""
    return list(_walk(parser(linkify=linkify).parse(body)))


def _walk(items: list[Token]) -> Iterator[Token]:
    for token in items:
        yield token
        if token.children:
            yield from _walk(token.children)


def html(body: str) -> list[str]:
    """The raw HTML pieces (blocks and inline tags), stripped."""
    return [t.content.strip() for t in tokens(body) if t.type in {"html_block", "html_inline"}]


def hrefs(body: str, *, linkify: bool = False) -> list[str]:
    return [str(t.attrs["href"]) for t in tokens(body, linkify=linkify) if t.type == "link_open"]


def count(body: str, kind: str) -> int:
    return sum(1 for t in tokens(body) if t.type == kind)


def headings(body: str) -> list[str]:
    found = tokens(body)
    return [found[i + 1].content for i, t in enumerate(found) if t.type == "heading_open"]


def shown_text(body: str) -> str:
    """All text and code a reader sees, zero-width spaces removed."""
    parts = [t.content for t in tokens(body) if t.type in {"text", "code_inline"}]
    return "".join(parts).replace(ZWSP, "")


def table_rows(body: str) -> list[list[str]]:
    """Each table row as the shown text of its cells."""
    rows: list[list[str]] = []
    cells: list[str] | None = None
    inside = False
    for token in tokens(body):
        if token.type == "tr_open":
            cells = []
        elif token.type in {"th_open", "td_open"}:
            inside = True
            assert cells is not None
            cells.append("")
        elif token.type in {"th_close", "td_close"}:
            inside = False
        elif token.type == "tr_close" and cells is not None:
            rows.append(cells)
            cells = None
        elif inside and cells is not None and token.type in {"text", "code_inline"}:
            cells[-1] += token.content.replace(ZWSP, "")
    return rows
