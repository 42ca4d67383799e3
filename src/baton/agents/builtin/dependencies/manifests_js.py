"""npm manifests: package.json's dependency tables and package-lock.json (lockfileVersion 1's
nested `dependencies`, 2 and 3's `packages`), read into npm `Declared` entries; and what an npm
version specifier points at (a registry range, git, a URL, a path, a workspace)."""

from __future__ import annotations

import re
from typing import Any

from baton.agents.builtin.dependencies.declared import (
    GIT,
    LOCAL,
    NO_VERSION,
    URL,
    WORKSPACE,
    Declared,
    Ecosystem,
    Parsed,
    Skip,
    Unreadable,
    shown,
)
from baton.agents.builtin.dependencies.reading import (
    JSON_KEY,
    Lines,
    json_string,
    load_json,
)

SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
LOCKFILE_VERSIONS = (1, 2, 3)

_EXACT = re.compile(r"=?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)")
_SHORTHAND = re.compile(r"[\w.-]+/[\w.-]+(?:#.*)?", re.ASCII)
"""`user/repo` or `user/repo#ref`: a GitHub repository."""
_MODULES = "node_modules/"


def exact(spec: str) -> str | None:
    """The version an npm specifier pins (`4.17.20`, `=4.17.20`, `v4.17.20`), else None."""
    match = _EXACT.fullmatch(spec.strip())
    return match[1] if match else None


def source(spec: str) -> str | None:
    """Why an npm specifier is not a registry version (git, a URL, a path, a workspace
    package), or None for a range, a version or a tag."""
    spec = spec.strip()
    if spec.startswith(("file:", "link:", "portal:", "exec:", ".", "/", "~/")):
        return LOCAL
    if spec.startswith(("git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:")):
        return GIT
    if spec.startswith(("http://", "https://")):
        return GIT if spec.split("#", 1)[0].endswith(".git") else URL
    if spec.startswith("workspace:"):
        return WORKSPACE
    if spec.startswith("catalog:"):
        return "a pnpm catalog entry, not a version"
    if _SHORTHAND.fullmatch(spec):
        return GIT
    return None


def split_alias(spec: str) -> tuple[str, str] | None:
    """`npm:lodash@^4` as (`lodash`, `^4`); `npm:@s/p` as (`@s/p`, ``); else None."""
    if not spec.startswith("npm:"):
        return None
    target = spec[4:]
    at = target.find("@", 1)
    return (target, "") if at < 0 else (target[:at], target[at + 1 :])


def npm_entry(
    name: str, spec: str, line: int, path: str, out: Parsed, *, lockfile: bool = False
) -> None:
    """One npm specifier as an entry (an alias under its real name) or a skip. In a lockfile
    the specifier is the version itself."""
    alias = split_alias(spec)
    real, wanted = alias if alias else (name, spec)
    reason = source(wanted)
    if reason is not None:
        out.skips.append(Skip(shown(name), line, reason, spec[:200]))
        return
    version = exact(wanted) if not lockfile else (exact(wanted) or wanted.strip() or None)
    if lockfile and version is None:
        out.skips.append(Skip(shown(name), line, NO_VERSION, spec[:200]))
        return
    out.entries.append(Declared(Ecosystem.NPM, real, version, spec, path, line, lockfile=lockfile))


def parse_package_json(text: str, path: str) -> Parsed:
    """package.json: `dependencies`, `devDependencies`, `optionalDependencies` and
    `peerDependencies`, in file order."""
    data = _object(load_json(text), "the top level")
    out = Parsed()
    lines = Lines.matching(text, JSON_KEY, decode=json_string)
    for section, table in data.items():
        if section not in SECTIONS:
            continue
        deps = _object(table, f"`{section}`")
        lines.line(section)
        for name, spec in deps.items():
            line = lines.line(name)
            if isinstance(spec, str):
                npm_entry(name, spec, line, path, out)
            else:
                out.skips.append(Skip(shown(name), line, NO_VERSION, repr(spec)[:200]))
    return out


def parse_package_lock(text: str, path: str) -> Parsed:
    """package-lock.json: version 1's nested `dependencies`, versions 2 and 3's `packages`
    keyed by `node_modules/…` path (the root, workspace folders and links left out)."""
    data = _object(load_json(text), "the top level")
    version = data.get("lockfileVersion")
    if version is None:
        raise Unreadable("no lockfileVersion")
    if type(version) is not int or version not in LOCKFILE_VERSIONS:
        raise Unreadable(f"lockfileVersion {shown(str(version), 20)} is not one baton reads")
    out = Parsed()
    if version == 1:
        deps = _object(data.get("dependencies", {}), "`dependencies`")
        _lock_v1(deps, Lines.json_objects(text), path, out)
    else:
        packages = _object(data.get("packages", {}), "`packages`")
        _lock_packages(packages, Lines.json_keys_with(text, _MODULES), path, out)
    return out


def _lock_packages(packages: dict[str, Any], lines: Lines, path: str, out: Parsed) -> None:
    for key, info in packages.items():
        at = key.rfind(_MODULES)
        if at < 0 or not isinstance(info, dict) or info.get("link") is True:
            continue  # the root "", a workspace folder, a link to one
        line = lines.line(key)
        name = info.get("name")
        if not isinstance(name, str):
            name = key[at + len(_MODULES) :]
        _locked(name, info, line, path, out)


def _lock_v1(deps: dict[str, Any], lines: Lines, path: str, out: Parsed) -> None:
    """Depth first in file order, so that `lines` finds each nested key after its parent."""
    stack = [iter(deps.items())]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        name, info = step
        line = lines.line(name)
        if not isinstance(info, dict):
            out.skips.append(Skip(shown(name), line, NO_VERSION, repr(info)[:200]))
            continue
        _locked(name, info, line, path, out)
        nested = info.get("dependencies")
        if isinstance(nested, dict):
            stack.append(iter(nested.items()))


def _locked(name: str, info: dict[str, Any], line: int, path: str, out: Parsed) -> None:
    version, resolved = info.get("version"), info.get("resolved")
    if isinstance(resolved, str) and resolved.startswith(("git+", "git:", "file:")):
        reason = LOCAL if resolved.startswith("file:") else GIT
        out.skips.append(Skip(shown(name), line, reason, resolved[:200]))
    elif isinstance(version, str):
        npm_entry(name, version, line, path, out, lockfile=True)
    else:
        out.skips.append(Skip(shown(name), line, NO_VERSION, repr(version)[:200]))


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unreadable(f"{what} is not a JSON object")
    return value
