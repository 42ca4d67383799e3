"""Making untrusted text inert in GitHub- and GitLab-flavoured markdown.

Everything a tool, a model, the code or a file name says (paths, titles, messages, rule ids,
reasons) reaches the comment through exactly one of these functions:

- `inline(text)` for one line of text; also safe inside a table cell;
- `paragraph(text)` for several lines, joined with `<br>` into one physical line;
- `code(text)` for a code span (paths, rule ids) with a fence no content can close;
- `link(label, url)` for a link, kept only when the url is plain http(s).

Each returns `markupsafe.Markup`, so a template rendered with autoescaping places it as is
and HTML-escapes anything that did not come through here.

Why this module exists: markupsafe's HTML escaping handles `<`, `>` and `&` (so no raw
HTML, no `<!--`, no `<http://…>` autolinks; quotes are put back, since outside raw HTML they
mean nothing), but nothing on PyPI covers the rest. The maintained markdown writers (mdutils,
snakemd) escape nothing, python-markdown-generator only HTML-escapes, and simplibs-markdown
0.1.0 escapes CommonMark punctuation but neither table cells, `@mentions`, issue references
nor bare-URL autolinks. So, on top of markupsafe:

- punctuation with inline meaning (`` \\ ` * _ [ ] | ~ $ `` and the `{ }` of GitLab's inline
  diffs) is backslash-escaped, and a leading `#`, `+`, `-`, `=`, `/` or `1.` is escaped, so
  text never starts a heading, a list, a setext underline or a GitLab quick action;
- every line break becomes a space (or `<br>`), so text never leaves its list item or cell;
- mention and reference sigils (`@`, `#`, `!`, `%`, `$`, `~`, `&`) followed by a word
  character, `scheme://` and `www.` get a zero-width space (`&#8203;`) after the sigil or
  before the `:` / `.`: GitHub and GitLab both render it invisibly, while their mention,
  reference and autolink scanners no longer match (Renovate's `@&#8203;` approach);
- Unicode control and bidirectional-override characters are dropped;
- code-span content cannot contain `<!--` or `-->` (a zero-width space splits them), so a
  rendered comment never carries a spoofed hidden marker.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

ZWSP = "&#8203;"
"""Zero-width space as an entity: invisible, and it breaks mention/reference/URL scanners."""

_ZWSP_CHAR = "\u200b"
_ELLIPSIS = "…"
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters (Unicode category Cc) and bidirectional formatting characters."""
_MD_INLINE = re.compile(r"[\\`*_\[\]{}|~$]")
_BLOCK_START = re.compile(r"^(?:[#+\-=/]|\d{1,9}(?=[.)]))")
_SIGIL = re.compile(r"(@|#|!|%|\$|~|&amp;)(?=\w)")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*)(?=://)")
_WWW = re.compile(r"(?i)\b(www)(?=\.)")
_URL_SAFE = "/:?#@!$&+,;=%-._~*"


def clip(value: str, limit: int | None) -> str:
    """`value` cut to at most `limit` characters, ending in `…` when it was cut."""
    if limit is None or len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)].rstrip() + _ELLIPSIS


def one_line(value: str) -> str:
    """`value` with line breaks turned into spaces and control characters dropped."""
    return _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", value).replace("\t", " ")).strip()


def inline(value: str, *, limit: int | None = None, line_start: bool = True) -> Markup:
    """One line of untrusted text that renders as exactly that text, with nothing live.

    `line_start=False` leaves a leading `#`, `-`, `1.`… alone, for text that is known to
    follow other text on its line.
    """
    text = _MD_INLINE.sub(r"\\\g<0>", clip(one_line(value), limit))
    if line_start:
        text = _BLOCK_START.sub(_escape_block_start, text)
    html = str(escape(text)).replace("&#34;", '"').replace("&#39;", "'")
    html = _SIGIL.sub(rf"\1{ZWSP}", html)
    html = _SCHEME.sub(rf"\1{ZWSP}", html)
    return Markup(_WWW.sub(rf"\1{ZWSP}", html))


def paragraph(value: str, *, limit: int | None = None) -> Markup:
    """Several lines of untrusted text as one physical line, lines joined with `<br>`."""
    lines = (inline(line) for line in _LINE_BREAKS.split(clip(value, limit)))
    return Markup("<br>").join(line for line in lines if line)


def code(value: str, *, limit: int | None = None) -> Markup:
    """A code span showing `value` verbatim; its fence is longer than any backtick run in it."""
    text = clip(one_line(value), limit)
    text = text.replace("<!", f"<{_ZWSP_CHAR}!").replace("->", f"-{_ZWSP_CHAR}>")
    if not text:
        return Markup("` `")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def safe_url(value: str | None) -> str | None:
    """An absolute http(s) url ready for a link destination, or None for anything else."""
    if not value:
        return None
    url = value.strip()
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return quote(url, safe=_URL_SAFE).replace("&", "&amp;")


def link(label: Markup, url: str | None) -> Markup:
    """`[label](url)` when `url` is a safe http(s) url, else just the (already safe) label."""
    href = safe_url(url)
    if href is None:
        return label
    return Markup(f"[{label}]({href})")


def _escape_block_start(match: re.Match[str]) -> str:
    mark = match.group(0)
    return mark + "\\" if mark[0].isdigit() else "\\" + mark
