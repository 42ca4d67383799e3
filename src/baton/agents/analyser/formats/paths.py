"""Report paths as repository-relative POSIX paths, or None when a path names no file here.

Tools write file names every way there is: relative (`src/a.py`, `./src/a.py`), absolute
(`/builds/app/src/a.py`), as URIs (`file:///builds/app/src/a%20b.py`, SARIF 2.1.0 §3.4.3
and RFC 3986/8089), with Windows drives and separators (`file:///C:/app/src/a.py`,
`C:\\app\\src\\a.py`, `src\\a.py`). This module reads them all *lexically* — the file system
is never asked, so a hostile name (a NUL byte, a thousand `..`) can do no harm:

* a relative path is taken from the repository root; one whose `..` leaves the root names
  no file here;
* an absolute path under the root is made relative to it;
* an absolute path elsewhere (a report made in another checkout, on another machine) is
  matched by its longest trailing part that is a known path of the repository, else it
  names no file here;
* a name that is not valid Unicode (a non-UTF-8 byte), or holds a control character (a NUL,
  a line break), is kept only when, repaired, it is a known path.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

_DRIVE = re.compile(r"^([A-Za-z]):(?:[/\\]|$)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_OTHER_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")  # not from surrogateescape
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(text: str) -> str:
    """`text` without lone surrogates: bytes smuggled in by `surrogateescape` are decoded as
    UTF-8 where they form it, anything else becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return text
    escaped_bytes_only = _OTHER_SURROGATE.sub("\ufffd", text)
    return escaped_bytes_only.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def has_scheme(uri: str) -> bool:
    """True for `file:...`, `https:...`; False for relative references and `C:/...`."""
    return _SCHEME.match(uri) is not None and _DRIVE.match(uri) is None


def is_absolute_reference(uri: str) -> bool:
    """True for a URI or name that does not depend on a base: a scheme, `/x`, `C:/x`."""
    return uri.startswith(("/", "\\")) or _SCHEME.match(uri) is not None


def file_name_from_uri(uri: str) -> str | None:
    """The file name a URI stands for, percent-decoded; None for a URI that is not a file.

    `file:///x` and `file://localhost/x` → `/x`; `file:///C:/x` → `C:/x`; `file://host/share/x`
    → `//host/share/x`; a relative reference (`src/a%20b.py`) → `src/a b.py`.
    """
    text = uri.strip()
    if not has_scheme(text):
        return unquote(text, errors="surrogateescape")
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed `[` in the host
        return None
    if parts.scheme.lower() != "file":
        return None
    name = unquote(parts.path, errors="surrogateescape")
    if name.startswith("/") and _DRIVE.match(name[1:]):
        name = name[1:]
    if parts.netloc and parts.netloc.lower() != "localhost":
        return f"//{unquote(parts.netloc, errors='surrogateescape')}{name}"
    return name


def display(name: str, *, is_uri: bool) -> str:
    """`name` as a person should read it in a note: decoded when it is a file URI."""
    decoded = file_name_from_uri(name) if is_uri or name.lower().startswith("file:") else name
    return clean_text(decoded if decoded is not None else name)


def place_uri(uri: str, *, root: Path, known_paths: frozenset[str]) -> str | None:
    """The repository path for a SARIF artifact URI (absolute or relative to the root)."""
    name = file_name_from_uri(uri)
    if name is None:
        return None
    return _place(name, root=root, known_paths=known_paths)


def place_name(name: str, *, root: Path, known_paths: frozenset[str]) -> str | None:
    """The repository path for a plain file name; a `file:` URI is accepted too."""
    if name.lower().startswith("file:"):
        return place_uri(name, root=root, known_paths=known_paths)
    return _place(name, root=root, known_paths=known_paths)


def _place(name: str, *, root: Path, known_paths: frozenset[str]) -> str | None:
    repaired = clean_text(name)
    if repaired != name:
        return _known(repaired, known_paths)
    if name in known_paths:
        return name
    if _CONTROL.search(name):
        return None
    slashed = name.strip().replace("\\", "/")
    drive = _DRIVE.match(slashed)
    if drive is not None:
        return _trailing_known(_normal_parts(slashed[drive.end() :]), known_paths)
    if slashed.startswith("/"):
        return _place_absolute(_normal_parts(slashed), root=root, known_paths=known_paths)
    return _place_relative(slashed)


def _known(name: str, known_paths: frozenset[str]) -> str | None:
    if name in known_paths:
        return name
    relative = _place_relative(name.replace("\\", "/"))
    return relative if relative in known_paths else None


def _place_relative(slashed: str) -> str | None:
    parts: list[str] = []
    for part in slashed.split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts) or None


def _normal_parts(slashed: str) -> list[str]:
    """An absolute path's parts with `.` and `..` applied (`..` at the top stays there)."""
    parts: list[str] = []
    for part in slashed.split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return parts


def _place_absolute(parts: list[str], *, root: Path, known_paths: frozenset[str]) -> str | None:
    for root_parts in _root_forms(root):
        if len(parts) > len(root_parts) and parts[: len(root_parts)] == root_parts:
            return "/".join(parts[len(root_parts) :])
    return _trailing_known(parts, known_paths)


def _root_forms(root: Path) -> list[list[str]]:
    """The root as written and with its symbolic links resolved (`/tmp` → `/private/tmp`)."""
    forms = [_normal_parts(root.absolute().as_posix())]
    try:
        resolved = _normal_parts(root.resolve().as_posix())
    except (OSError, RuntimeError):
        return forms
    if resolved != forms[0]:
        forms.append(resolved)
    return forms


def _trailing_known(parts: list[str], known_paths: frozenset[str]) -> str | None:
    """The longest trailing part of `parts` that is a known repository path."""
    for start in range(len(parts)):
        candidate = "/".join(parts[start:])
        if candidate in known_paths:
            return candidate
    return None
