"""JavaScript lockfiles beside npm's: yarn.lock (classic v1 and berry's YAML) and
pnpm-lock.yaml (lockfileVersion 5, 6, 7 and 9), read into exact npm `Declared` entries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from baton.agents.builtin.dependencies.declared import (
    GIT,
    LOCAL,
    NO_VERSION,
    URL,
    Parsed,
    Skip,
    Unreadable,
    shown,
)
from baton.agents.builtin.dependencies.manifests_js import npm_entry, source, split_alias
from baton.agents.builtin.dependencies.reading import yaml_events

PNPM_MAJORS = ("5", "6", "7", "9")
_YARN_VERSION = re.compile(r"^# yarn lockfile v(\d+)", re.M)
_FIELD = re.compile(r"  ([\w-]+):? +(.*)")
_NOT_REGISTRY = (
    (("github.com/", "gitlab.com/", "bitbucket.org/", "codeload.github.com/"), GIT),
    (("file:", "link:"), LOCAL),
)


def _blocks(text: str) -> Iterator[tuple[int, str, dict[str, str]]]:
    """Each top-level block of a yarn.lock: its header line's number, the header (without the
    colon) and its two-space-indented fields, unquoted."""
    header, number = "", 0
    fields: dict[str, str] = {}
    for index, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if header:
                yield number, header, fields
            header, number, fields = line.rstrip(":").strip(), index, {}
            continue
        field = _FIELD.fullmatch(line) if header else None
        if field is not None:
            fields[field[1]] = _unquote(field[2].strip())
    if header:
        yield number, header, fields


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _split(descriptor: str) -> tuple[str, str]:
    """`@scope/pkg@^1` as (`@scope/pkg`, `^1`)."""
    at = descriptor.find("@", 1)
    return (descriptor, "") if at < 0 else (descriptor[:at], descriptor[at + 1 :])


def parse_yarn_lock(text: str, path: str) -> Parsed:
    """yarn.lock: v1's `"pkg@^1", pkg@^1.1:` headers with `  version "1.2.3"`, or berry's
    `"pkg@npm:^1":` with `version: 1.2.3` and `resolution:` (its `__metadata` block, workspace
    and patch entries left out)."""
    berry = re.search(r"^__metadata:", text, re.M) is not None
    stated = _YARN_VERSION.search(text)
    if not berry and stated is not None and stated[1] != "1":
        raise Unreadable(f"yarn lockfile v{shown(stated[1], 10)} is not one baton reads")
    out = Parsed()
    for line, header, fields in _blocks(text):
        if header == "__metadata":
            continue
        first = header.split(",", 1)[0].strip().strip("\"'")
        if berry:
            _berry_entry(first, fields, line, path, out)
            continue
        name, wanted = _split(first)
        alias = split_alias(wanted)
        if alias is not None:
            name, wanted = alias
        resolved = fields.get("resolved", "")
        reason = source(wanted) or (source(resolved) if resolved.startswith("git") else None)
        version = fields.get("version")
        if reason is not None or version is None:
            out.skips.append(Skip(shown(name), line, reason or NO_VERSION, header[:200]))
            continue
        npm_entry(name, version, line, path, out, lockfile=True)
    return out


def _berry_entry(first: str, fields: dict[str, str], line: int, path: str, out: Parsed) -> None:
    name, descriptor = _split(fields.get("resolution") or first)
    protocol = descriptor.split(":", 1)[0] if ":" in descriptor else "npm"
    if protocol in ("workspace", "patch"):
        return  # the project's own packages; a patch of an entry listed on its own
    version = fields.get("version")
    if protocol != "npm" or version is None:
        reason = source(descriptor) or (URL if version is not None else NO_VERSION)
        out.skips.append(Skip(shown(name), line, reason, descriptor[:200]))
        return
    npm_entry(name, version, line, path, out, lockfile=True)


def parse_pnpm_lock(text: str, path: str) -> Parsed:
    """pnpm-lock.yaml `packages:` keys: `/name/1.2.3` (5.x), `/name@1.2.3` (6.x),
    `name@1.2.3` (9.x), with peer suffixes (`(react@18.0.0)`, `_react@18.0.0`) dropped. Read
    as YAML events: the keys and their lines, nothing constructed."""
    stated, keys = _pnpm_keys(text)
    if stated is None:
        raise Unreadable("no lockfileVersion")  # or not a mapping at the top
    major = stated.split(".", 1)[0]
    if major not in PNPM_MAJORS:
        raise Unreadable(f"lockfileVersion {shown(stated, 20)} is not one baton reads")
    out = Parsed()
    for key, line in keys:
        _pnpm_entry(key, major, line, path, out)
    return out


@dataclass
class _Open:
    """A collection open in the YAML event stream; in a mapping, whether a key comes next."""

    mapping: bool
    under: str | None
    """The key this collection is the value of."""
    key: str | None = None
    key_next: bool = True


def _pnpm_keys(text: str) -> tuple[str | None, list[tuple[str, int]]]:
    """The top-level `lockfileVersion` scalar, and each key of the top-level `packages`
    mapping with its line."""
    stated: str | None = None
    keys: list[tuple[str, int]] = []
    stack: list[_Open] = []
    for event in yaml_events(text):
        top = stack[-1] if stack else None
        if isinstance(event, yaml.CollectionStartEvent):
            under = None
            if top is not None and top.mapping:
                under = None if top.key_next else top.key
                top.key_next = not top.key_next
            stack.append(_Open(isinstance(event, yaml.MappingStartEvent), under))
        elif isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
        elif isinstance(event, yaml.NodeEvent) and top is not None and top.mapping:
            value = event.value if isinstance(event, yaml.ScalarEvent) else None
            if not top.key_next:
                if len(stack) == 1 and top.key == "lockfileVersion" and value is not None:
                    stated = value
            elif value is not None and len(stack) == 2 and stack[1].under == "packages":
                mark = event.start_mark
                keys.append((value, mark.line + 1 if mark is not None else 1))
            top.key = value if top.key_next else top.key
            top.key_next = not top.key_next
    return stated, keys


def _pnpm_entry(key: str, major: str, line: int, path: str, out: Parsed) -> None:
    reason = next((why for starts, why in _NOT_REGISTRY if key.startswith(starts)), None)
    if reason is None and major in ("5", "6") and not key.startswith("/"):
        reason = URL
    if reason is not None:
        out.skips.append(Skip(shown(key), line, reason, key[:200]))
        return
    bare = key.removeprefix("/").split("(", 1)[0]
    if major == "5":
        name, _, version = bare.rpartition("/")
        version = version.split("_", 1)[0]
    else:
        name, version = _split(bare)
    reason = source(version)
    if reason is not None or not name or not version:
        out.skips.append(Skip(shown(name or key), line, reason or NO_VERSION, key[:200]))
        return
    npm_entry(name, version, line, path, out, lockfile=True)
