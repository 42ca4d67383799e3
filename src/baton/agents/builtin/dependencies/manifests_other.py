"""go.mod, Cargo.lock and Gemfile.lock, read into Go, crates.io and RubyGems `Declared`
entries: `require` lines (with `replace` applied), `[[package]]` tables, `GEM` specs."""

from __future__ import annotations

import re

from baton.agents.builtin.dependencies.declared import (
    GIT,
    LOCAL,
    NO_VERSION,
    URL,
    Declared,
    Ecosystem,
    Parsed,
    Skip,
    Unreadable,
    shown,
)
from baton.agents.builtin.dependencies.locks_python import packages
from baton.agents.builtin.dependencies.reading import TOML_NAME, Lines, load_toml

CRATES_IO = (
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
)
_GEM_SPEC = re.compile(r"    ([^\s(]+) \(([^)\s]+)\)")
_LOCAL_PATH = re.compile(r"\.{1,2}(?:/|\\|$)|/|[A-Za-z]:[\\/]")


def _go_fields(text: str) -> list[str]:
    """A go.mod line's fields: whitespace-separated, a quoted path unquoted."""
    return [field.strip('"`') for field in text.split()]


def _go_lines(text: str) -> list[tuple[int, str, list[str]]]:
    """Each directive of a go.mod (comments cut, `require ( … )` blocks opened) as its line,
    verb and fields."""
    found: list[tuple[int, str, list[str]]] = []
    block = ""
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if block:
            if line == ")":
                block = ""
            else:
                found.append((number, block, _go_fields(line)))
            continue
        verb, _, rest = line.replace("\t", " ").partition(" ")
        rest = rest.strip()
        if rest == "(":
            block = verb
        elif rest:
            found.append((number, verb, _go_fields(rest)))
    return found


def parse_go_mod(text: str, path: str) -> Parsed:
    """go.mod `require` lines and blocks (`// indirect` too). A `replace` by another module
    stands for the module it replaces; one by a local path is skipped. OSV's Go versions are
    SEMVER "with no leading 'v' prefix" (OSV schema, `ranges[].type` SEMVER:
    https://ossf.github.io/osv-schema/#affectedrangestype-field; osv-scanner reports go.mod's
    `v1.3.1` as `1.3.1`): `version` drops the `v`, `spec` keeps it as written."""
    requires: list[tuple[int, str, str]] = []
    replaces: dict[tuple[str, str | None], list[str]] = {}
    for number, verb, fields in _go_lines(text):
        if verb == "require":
            if len(fields) != 2:
                raise Unreadable(f"line {number}: a require that is not `module version`")
            requires.append((number, fields[0], fields[1]))
        elif verb == "replace":
            arrow = fields.index("=>") if "=>" in fields else -1
            old, new = fields[:arrow], fields[arrow + 1 :]
            if arrow < 0 or len(old) not in (1, 2) or len(new) not in (1, 2):
                raise Unreadable(f"line {number}: a replace that is not `module => target`")
            replaces[(old[0], old[1] if len(old) == 2 else None)] = new
    out = Parsed()
    for number, module, version in requires:
        target = replaces.get((module, version)) or replaces.get((module, None))
        if target is not None and (len(target) == 1 or _LOCAL_PATH.match(target[0])):
            reason = f"replaced by a local path ({shown(target[0], 80)})"
            out.skips.append(Skip(module, number, reason, f"{module} {version} => {target[0]}"))
            continue
        name, spec = target if target is not None else (module, version)
        out.entries.append(Declared(Ecosystem.GO, name, spec.removeprefix("v"), spec, path, number))
    return out


def parse_cargo_lock(text: str, path: str) -> Parsed:
    """Cargo.lock `[[package]]` tables from crates.io; a git source is skipped, another
    registry's crates too, and a crate with no source (the workspace's own) left out."""
    out = Parsed()
    lines = Lines.matching(text, TOML_NAME)
    for package in packages(load_toml(text)):
        name, version, where = package.get("name"), package.get("version"), package.get("source")
        if not isinstance(name, str) or where is None:
            continue
        line = lines.line(name)
        reason = None
        if not isinstance(where, str) or where.startswith("git+"):
            reason = GIT
        elif where not in CRATES_IO:
            reason = "a registry other than crates.io" if "registry+" in where else URL
        elif not isinstance(version, str):
            reason = NO_VERSION
        if reason is not None:
            out.skips.append(Skip(shown(name), line, reason, str(where)[:200]))
            continue
        assert isinstance(version, str)
        out.entries.append(
            Declared(Ecosystem.CRATES, name, version, version, path, line, lockfile=True)
        )
    return out


def parse_gemfile_lock(text: str, path: str) -> Parsed:
    """Gemfile.lock `GEM` section specs, `    name (1.2.3)` at a four-space indent, a
    platform suffix (`1.2.3-x86_64-linux`) dropped from the version; `GIT` specs and `PATH`
    ones outside the project are skipped."""
    out = Parsed()
    section, remote, specs = "", "", False
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if not line[0].isspace():
            section, remote, specs = line.strip(), "", False
            continue
        if line.startswith("  remote: "):
            remote = line[len("  remote: ") :].strip()
        elif line == "  specs:":
            specs = True
        spec = _GEM_SPEC.fullmatch(line) if specs else None
        if spec is None:
            continue
        name, written = spec[1], spec[2]
        if section == "GEM":
            version = written.split("-", 1)[0]
            out.entries.append(
                Declared(Ecosystem.RUBYGEMS, name, version, written, path, number, lockfile=True)
            )
        elif section == "GIT":
            out.skips.append(Skip(shown(name), number, GIT, f"{remote} {written}"))
        elif section == "PATH" and remote not in (".", "./"):
            out.skips.append(Skip(shown(name), number, LOCAL, f"{remote} {written}"))
    return out
