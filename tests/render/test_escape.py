"""`render.escape`: untrusted text renders as exactly that text, and nothing in it is live."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from baton.render.escape import code, inline, link, one_line, paragraph, safe_url
from tests.render import mdparse

# Characters that mean something to markdown, HTML, GitHub or GitLab, plus ordinary ones.
_NASTY = st.lists(
    st.sampled_from(
        [
            *"\\`*_[]()<>!#&|~$%@:/.-+=;'\"{}^ \t\n\r",
            "a",
            "1",
            "é",
            "\u2028",
            "-->",
            "<!--",
            "https://",
            "www.",
            "&amp;",
            "&#60;",
            "    ",
        ]
    ),
    max_size=30,
).map("".join)
_ANY = st.one_of(_NASTY, st.text(max_size=40))


def _single_paragraph_children(source: str) -> list[str]:
    """Types of the inline tokens when `source` parses as one list item holding one paragraph."""
    found = mdparse.parser().parse(source)
    assert [t.type for t in found] == [
        "bullet_list_open",
        "list_item_open",
        "paragraph_open",
        "inline",
        "paragraph_close",
        "list_item_close",
        "bullet_list_close",
    ], source
    return [child.type for child in found[3].children or []]


@given(_ANY)
def test_inline_text_shows_exactly_the_input_and_nothing_else(value: str) -> None:
    rendered = inline(value)
    if not rendered:
        assert one_line(value) == ""
        return
    kinds = _single_paragraph_children(f"- {rendered}")
    assert set(kinds) <= {"text"}
    assert mdparse.shown_text(f"- {rendered}") == one_line(value)


@given(_ANY)
def test_inline_text_stays_inside_its_table_cell(value: str) -> None:
    rendered = inline(value)
    rows = mdparse.table_rows(f"| a | b |\n| - | - |\n| {rendered} | end |\n")
    assert rows == [["a", "b"], [one_line(value), "end"]]


@given(_ANY)
def test_code_span_shows_the_input_verbatim(value: str) -> None:
    rendered = code(value)
    kinds = _single_paragraph_children(f"- {rendered}")
    assert kinds == ["code_inline"]
    shown = mdparse.shown_text(f"- {rendered}")
    assert shown == (one_line(value) or " ")
    assert "<!--" not in rendered
    assert "-->" not in rendered


@given(_ANY)
def test_paragraph_keeps_line_breaks_as_br_only(value: str) -> None:
    rendered = paragraph(value)
    if not rendered:
        return
    found = mdparse.parser().parse(f"- {rendered}")
    inline_children = found[3].children or []
    assert {c.type for c in inline_children} <= {"text", "html_inline"}
    assert {c.content for c in inline_children if c.type == "html_inline"} <= {"<br>"}


def test_html_is_shown_as_text_never_as_tags() -> None:
    for value in [
        "<img src=x onerror=alert(1)>",
        "</details><script>alert(1)</script>",
        "<!-- baton:state {} -->",
        "<https://evil.example/>",
        "<a href='https://evil.example'>x</a>",
    ]:
        body = f"- {inline(value)}"
        assert mdparse.html(body) == []
        assert mdparse.hrefs(body) == []
        assert mdparse.shown_text(body) == value


def test_markdown_syntax_is_shown_literally() -> None:
    cases = {
        "[click](javascript:alert(1))": "link",
        "![img](https://evil.example/x.png)": "image",
        "**bold**": "strong_open",
        "_emphasis_": "em_open",
        "~~struck~~": "s_open",
        "`code`": "code_inline",
    }
    for value, kind in cases.items():
        body = f"- {inline(value)}"
        assert mdparse.count(body, kind) == 0, value
        assert mdparse.count(body, "link_open") == 0, value
        assert mdparse.shown_text(body) == value


def test_leading_block_marks_do_not_start_blocks() -> None:
    for value in ["# heading", "## x", "1. item", "2) item", "- item", "+ item", "= x", "> quote"]:
        body = inline(value) + "\n"
        assert mdparse.headings(body) == []
        assert mdparse.count(body, "bullet_list_open") == 0
        assert mdparse.count(body, "ordered_list_open") == 0
        assert mdparse.count(body, "blockquote_open") == 0
        assert mdparse.shown_text(body) == value


def test_a_gitlab_quick_action_cannot_start_a_line() -> None:
    assert not inline("/approve").startswith("/")
    assert "\n/" not in paragraph("fine\n/merge\n/assign @me")


def test_newlines_cannot_leave_a_list_item() -> None:
    text = paragraph("first line\n\n# heading\n- item\n|a|b|\n|-|-|")
    body = f"- {text}\n- next\n"
    assert mdparse.headings(body) == []
    assert mdparse.count(body, "list_item_open") == 2
    assert mdparse.count(body, "table_open") == 0


def test_mentions_and_references_are_broken_by_a_zero_width_space() -> None:
    value = "@org/team @user me@example.com #12 org/repo#3 !7 &5 %9 ~bug $4"
    shown = mdparse.shown_text(f"- {inline(value)}")
    assert shown == value
    raw = mdparse.tokens(f"- {inline(value)}")
    text = "".join(t.content for t in raw if t.type == "text")
    assert re.search(r"[@#!&%~$]\w", text) is None
    assert text.count("\u200b") == 10


def test_bare_urls_are_not_autolinked() -> None:
    value = "see https://evil.example/a.png and www.evil.example and ftp://x.example"
    body = f"- {inline(value)}"
    assert mdparse.hrefs(body, linkify=True) == []
    assert mdparse.shown_text(body) == value


def test_control_and_bidi_characters_are_dropped() -> None:
    rendered = inline("a\x00b\x1b[31mc\u202ed\u2066e")
    assert mdparse.shown_text(f"- {rendered}") == "ab[31mcde"


def test_clipping_marks_the_cut_and_never_splits_an_escape() -> None:
    rendered = inline("<" * 50, limit=10)
    assert mdparse.shown_text(f"- {rendered}") == "<" * 9 + "…"


def test_only_plain_http_urls_become_links() -> None:
    assert safe_url("https://example.com/a?b=1&c=2") == "https://example.com/a?b=1&amp;c=2"
    assert safe_url("http://example.com/p (1)") is None
    assert safe_url("https://example.com/p(1)<x>") == "https://example.com/p%281%29%3Cx%3E"
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "file:///etc",
        "",
        None,
    ]:
        assert safe_url(bad) is None
    assert link(inline("x"), "javascript:alert(1)") == "x"


def test_a_link_label_and_url_cannot_break_out() -> None:
    body = f"- {link(code('a](https://evil.example)'), 'https://ok.example/x)y')}"
    assert mdparse.hrefs(body) == ["https://ok.example/x%29y"]
    assert mdparse.shown_text(body) == "a](https://evil.example)"
