#!/usr/bin/env python3
"""Release checks and release preparation for baton (stdlib only).

Owns what a release must satisfy and the local steps that cut one:
  check --tag vX.Y.Z   before publishing: a semver tag at HEAD, a clean tree, a dated non-empty
                       CHANGELOG.md section, and the image ghcr.io/baton-review/baton:X.Y.Z pinned
                       in action.yml, every GitLab component (templates/*.yml, the `image`
                       input's default) and gitlab-template.yml; prints `version=` and
                       `pep440=` lines for $GITHUB_OUTPUT.
  dist DIR --version V DIR holds exactly that version's sdist and pure wheel, and their own
                       metadata says so (names starting with a dot are ignored).
  notes VERSION        that version's CHANGELOG body, for `gh release create --notes-file`.
  prepare VERSION      on a clean, up-to-date main: [Unreleased] becomes a dated section, the
                       image is pinned, "Release VERSION" is committed and tagged vVERSION, then
                       "Development after VERSION" builds action.yml from the Dockerfile again.
                       Nothing is pushed; the push command is printed.
A failure is one line `release: <reason>` on stderr and exit 1; a usage error exits 2.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import re
import subprocess
import sys
import tarfile
import zipfile
import zlib
from email.parser import HeaderParser
from pathlib import Path
from typing import NamedTuple, NoReturn

REPO_URL = "https://github.com/baton-review/baton"
IMAGE = "ghcr.io/baton-review/baton"
DIST_NAME = "baton_review"
CHANGELOG = "CHANGELOG.md"
ACTION = "action.yml"
# Each YAML line naming the released image: file, keys down to it, what precedes IMAGE.
Pin = tuple[str, tuple[str, ...], str]
ACTION_PIN: Pin = (ACTION, ("runs", "image"), "docker://")
TEMPLATE_PIN: Pin = ("gitlab-template.yml", ("variables", "BATON_IMAGE"), "")
COMPONENTS = "templates"
"""The GitLab CI/CD catalog's components: every `templates/<name>.yml` the commit holds."""
COMPONENT_IMAGE = ("spec", "inputs", "image", "default")

SEMVER = r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
PRE_RE = re.compile(r"(a|alpha|b|beta|c|rc|pre|preview)\.?(0|[1-9]\d*)?")
PEP440_RELEASE_RE = re.compile(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?")
HEADING_RE = re.compile(r"## \[(?P<name>[^\]]+)\](?P<rest>.*)")
DATED_RE = re.compile(r"\s+-\s+(?P<date>\S+)(?:\s+\[YANKED\])?\s*")
LINKDEF_RE = re.compile(r" {0,3}\[[^\]]+\]:\s*\S.*")
DOC_MARK_RE = re.compile(r"(---|\.\.\.)(\s.*)?")


class ReleaseError(Exception):
    """A reason the release cannot go on, printed as one line."""


class Section(NamedTuple):
    """A `## [NAME] REST` heading of the changelog; its body ends before line `end`."""

    name: str
    rest: str
    head: int
    end: int


def pep440(version: str) -> str:
    """The PEP 440 form of a semantic version (1.2.0-rc.1 -> 1.2.0rc1)."""
    match = re.fullmatch(SEMVER, version)
    if match is None:
        raise ReleaseError(f"version {version!r} is not MAJOR.MINOR.PATCH[-PRERELEASE]")
    release = ".".join(match.group(1, 2, 3))
    if match[4] is None:
        return release
    if (pre := PRE_RE.fullmatch(match[4])) is None:
        raise ReleaseError(f"pre-release {match[4]!r} has no PEP 440 form: use alpha/beta/rc.N")
    kind = {"a": "a", "alpha": "a", "b": "b", "beta": "b"}.get(pre[1], "rc")
    return f"{release}{kind}{pre[2] or 0}"


def check_date(text: str) -> str:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ReleaseError(f"date {text!r} is not a YYYY-MM-DD date")


def git(root: Path, *args: str, ok: bool = False) -> str:
    """`git -C ROOT ARGS`'s stdout; when git fails, "" with `ok`, else a ReleaseError."""
    command = ["git", "-C", str(root), *args]
    try:
        done = subprocess.run(
            command, capture_output=True, encoding="utf-8", errors="replace", check=False
        )
    except OSError as exc:
        raise ReleaseError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode == 0 or ok:
        return done.stdout if done.returncode == 0 else ""
    detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    raise ReleaseError(f"git {args[0]} failed: {detail}")


def require_clean(root: Path) -> None:
    """No tracked file differs from HEAD, staged or not."""
    status = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no")
    if status:
        dirty = status.split("\0", 1)[0][3:]
        raise ReleaseError(f"working tree is not clean: {dirty} has uncommitted changes")


def read(root: Path, rel: str, *, committed: bool = False) -> str:
    """REL from the working tree, or as HEAD holds it."""
    if committed:
        if not (text := git(root, "show", f"HEAD:{rel}", ok=True)):
            raise ReleaseError(f"{rel} is missing or empty in the tagged commit")
        return text
    try:
        return (root / rel).read_bytes().decode("utf-8")
    except OSError as exc:
        raise ReleaseError(f"cannot read {rel}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ReleaseError(f"{rel} is not UTF-8") from None


def pins(root: Path) -> list[Pin]:
    """Every pin of the commit at HEAD: the action, each component (sorted), the template."""
    listed = git(root, "ls-tree", "-z", "--name-only", "HEAD", f"{COMPONENTS}/")
    names = sorted(
        name
        for name in listed.split("\0")
        if name.endswith(".yml") and name.count("/") == 1 and name.startswith(f"{COMPONENTS}/")
    )
    if not names:
        raise ReleaseError(f"{COMPONENTS}/ holds no GitLab component ({COMPONENTS}/*.yml)")
    return [ACTION_PIN, *((name, COMPONENT_IMAGE, "") for name in names), TEMPLATE_PIN]


def find_key(lines: list[str], keys: tuple[str, ...]) -> int:
    """The line of a key nested in block mappings of the first YAML document."""

    def content(i: int) -> bool:
        return bool(lines[i].strip()) and not lines[i].lstrip().startswith("#")

    def indent(i: int) -> int:
        return len(lines[i]) - len(lines[i].lstrip(" "))

    start = next((i for i in range(len(lines)) if content(i)), len(lines))
    start += 1 if start < len(lines) and DOC_MARK_RE.fullmatch(lines[start].rstrip()) else 0
    marks = (i for i in range(start, len(lines)) if DOC_MARK_RE.fullmatch(lines[i].rstrip()))
    end = next(marks, len(lines))
    found = -1
    for key in keys:
        pattern = re.compile(rf"([\"']?){re.escape(key)}\1[ \t]*:(?=\s|$)")
        lines_in = [i for i in range(start, end) if content(i)]
        child = indent(lines_in[0]) if lines_in else -1
        at = (i for i in lines_in if indent(i) == child and pattern.match(lines[i], child))
        if (found := next(at, -1)) < 0:
            raise ReleaseError(f"has no {'.'.join(keys)} line")
        start = found + 1
        end = next((i for i in lines_in if i > found and indent(i) <= child), end)
    return found


def pin_line(text: str, pin: Pin) -> tuple[list[str], int, list[str]]:
    """TEXT's lines, the index of the pin's line, and that line split in four: up to the
    value, its quote, the plain value, and what follows (comment, line end)."""
    path, keys, _ = pin
    lines = text.splitlines(keepends=True)
    try:
        index = find_key(lines, keys)
    except ReleaseError as exc:
        raise ReleaseError(f"{path} {exc}") from None
    colon = re.match(rf"\s*([\"']?){re.escape(keys[-1])}\1[ \t]*:[ \t]*", lines[index])
    assert colon is not None
    head, value = lines[index][: colon.end()], lines[index][colon.end() :]
    if value[:1] in ("'", '"') and (close := value.find(value[0], 1)) > 0:
        return lines, index, [head, value[0], value[1:close], value[close + 1 :]]
    plain = re.split(r"[ \t]+#|\r?\n|\r", value, maxsplit=1)[0].rstrip(" \t")
    return lines, index, [head, "", plain, value[len(plain) :]]


def set_pin(text: str, pin: Pin, value: str) -> str:
    """TEXT with the pin's value replaced; every other byte kept."""
    lines, index, (head, quote, _, tail) = pin_line(text, pin)
    space = "" if head.endswith((" ", "\t")) else " "
    lines[index] = f"{head}{space}{quote}{value}{quote}{tail}"
    return "".join(lines)


def sections(lines: list[str]) -> list[Section]:
    """The `## [NAME]` sections; the link definitions at the bottom belong to none."""
    tail = len(lines)
    while tail and (not lines[tail - 1].strip() or LINKDEF_RE.fullmatch(lines[tail - 1].rstrip())):
        tail -= 1
    heads = [i for i in range(tail) if lines[i].startswith("## ")] + [tail]
    matches = [
        (HEADING_RE.fullmatch(lines[h].rstrip("\r\n")), h, e) for h, e in itertools.pairwise(heads)
    ]
    return [Section(m["name"], m["rest"], h, e) for m, h, e in matches if m]


def body_lines(lines: list[str], section: Section) -> list[str]:
    """A section's lines without blank ones around them; none if it lists nothing (only blank
    lines, headings and HTML comments)."""
    body = lines[section.head + 1 : section.end]
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    said = any(line.strip() and not line.lstrip().startswith(("#", "<!--")) for line in body)
    return body if said else []


def section_body(text: str, version: str, *, dated: bool) -> str:
    lines = text.splitlines(keepends=True)
    section = next((s for s in sections(lines) if s.name == version), None)
    expected = f"'## [{version}] - YYYY-MM-DD'" if dated else f"'## [{version}]'"
    if section is None:
        raise ReleaseError(f"{CHANGELOG} has no section {expected}")
    if dated:
        if (date := DATED_RE.fullmatch(section.rest)) is None:
            raise ReleaseError(f"{CHANGELOG} section [{version}] has no date: expected {expected}")
        check_date(date["date"])
    if not (body := body_lines(lines, section)):
        raise ReleaseError(f"{CHANGELOG} section [{version}] is empty: it lists no change")
    text = "".join(body)
    return text if text.endswith("\n") else text + "\n"


def release_changelog(text: str, version: str, date: str) -> str:
    """TEXT with [Unreleased]'s body moved to a `## [VERSION] - DATE` section, links updated."""
    lines = text.splitlines(keepends=True)
    found = sections(lines)
    if any(s.name == version for s in found):
        raise ReleaseError(f"{CHANGELOG} already has a section [{version}]")
    unreleased = next((s for s in found if s.name.lower() == "unreleased"), None)
    if unreleased is None:
        raise ReleaseError(f"{CHANGELOG} has no '## [Unreleased]' section")
    if not (body := body_lines(lines, unreleased)):
        raise ReleaseError(f"{CHANGELOG} section [Unreleased] is empty: nothing to release")
    eol = lines[unreleased.head][len(lines[unreleased.head].rstrip("\r\n")) :] or "\n"
    body[-1] = body[-1].rstrip("\r\n") + eol
    rest = lines[unreleased.end :]
    while rest and not rest[0].strip():
        rest.pop(0)
    new = [*lines[: unreleased.head + 1], eol, f"## [{version}] - {date}{eol}", eol, *body]
    new += [eol, *rest] if rest else []
    later = [s.name for s in found if s.head > unreleased.head]
    link = next((i for i, line in enumerate(new) if re.match(r"\[unreleased\]:", line, re.I)), None)
    if link is not None:
        label = new[link][1 : new[link].index("]")]
        target = f"compare/v{later[0]}...v{version}" if later else f"releases/tag/v{version}"
        new[link] = f"[{label}]: {REPO_URL}/compare/v{version}...HEAD{eol}"
        new.insert(link + 1, f"[{version}]: {REPO_URL}/{target}{eol}")
    return "".join(new)


def cmd_check(root: Path, tag: str) -> None:
    if re.fullmatch("v" + SEMVER, tag) is None:
        raise ReleaseError(f"tag {tag!r} is not vMAJOR.MINOR.PATCH[-PRERELEASE]")
    version, pep = tag[1:], pep440(tag[1:])
    tagged = git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}", ok=True)
    if not tagged:
        raise ReleaseError(f"tag {tag} does not exist: expected it on HEAD")
    head = git(root, "rev-parse", "--verify", "HEAD").strip()
    if tagged.strip() != head:
        raise ReleaseError(f"tag {tag} is on {tagged.strip()[:12]}, not at HEAD ({head[:12]})")
    require_clean(root)
    section_body(read(root, CHANGELOG, committed=True), version, dated=True)
    for pin in pins(root):
        value = pin_line(read(root, pin[0], committed=True), pin)[2][2]
        if value != (expected := f"{pin[2]}{IMAGE}:{version}"):
            where = ".".join(pin[1])
            raise ReleaseError(f"{pin[0]} {where} is {value!r}, expected {expected!r}")
    print(f"version={version}\npep440={pep}")


def metadata(path: Path, member: str) -> str:
    """The text of MEMBER of a wheel (zip) or an sdist (gzipped tar)."""
    try:
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                return wheel.read(member).decode("utf-8")
        with tarfile.open(path, "r:gz") as sdist:
            if (handle := sdist.extractfile(member)) is None:
                raise KeyError(member)
            return handle.read().decode("utf-8")
    except KeyError:
        raise ReleaseError(f"{path.name} has no {member}") from None
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ReleaseError(f"{path.name} cannot be read: {exc}") from None
    except UnicodeDecodeError:
        raise ReleaseError(f"{path.name}: {member} is not UTF-8") from None


def cmd_dist(directory: Path, version: str) -> None:
    if "+" in version or ".dev" in version:
        raise ReleaseError(f"version {version!r} is a development or local version, not a release")
    pep = version if PEP440_RELEASE_RE.fullmatch(version) else pep440(version)
    if not directory.is_dir():
        raise ReleaseError(f"{directory} is not a directory")
    names = sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))
    sdist, wheel = f"{DIST_NAME}-{pep}.tar.gz", f"{DIST_NAME}-{pep}-py3-none-any.whl"
    for kind, suffix, expected in (("sdist", ".tar.gz", sdist), ("wheel", ".whl", wheel)):
        if not (found := [name for name in names if name.endswith(suffix)]):
            raise ReleaseError(f"{directory} has no {kind}: expected {expected}")
        if len(found) > 1:
            raise ReleaseError(f"{directory} has {len(found)} {kind}s, expected one: {found}")
        if found[0] != expected:
            dev = "+" in found[0] or ".dev" in found[0]
            hint = " (a development or local version: build from the tag)" if dev else ""
            raise ReleaseError(f"{kind} is {found[0]}{hint}, expected {expected}")
    if extra := [name for name in names if name not in (sdist, wheel)]:
        raise ReleaseError(f"{directory} holds {extra[0]} besides the sdist and the wheel")
    members = {sdist: f"{DIST_NAME}-{pep}/PKG-INFO", wheel: f"{DIST_NAME}-{pep}.dist-info/METADATA"}
    for name, member in members.items():
        meta = HeaderParser().parsestr(metadata(directory / name, member))
        project = re.sub(r"[-_.]+", "-", str(meta.get("Name", ""))).lower()
        if project != "baton-review":
            raise ReleaseError(f"{name}: {member} names {meta.get('Name')!r}, not baton-review")
        if meta.get("Version") != pep:
            raise ReleaseError(f"{name}: {member} says version {meta.get('Version')!r}, not {pep}")


def cmd_prepare(root: Path, version: str, date: str) -> None:
    pep440(version)
    date, tag = check_date(date), f"v{version}"
    if git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}", ok=True):
        raise ReleaseError(f"tag {tag} already exists")
    if not (branch := git(root, "symbolic-ref", "--quiet", "--short", "HEAD", ok=True).strip()):
        raise ReleaseError("HEAD is detached: check out the branch to release from (main)")
    require_clean(root)
    edits = {CHANGELOG: release_changelog(read(root, CHANGELOG), version, date)}
    for pin in pins(root):
        edits[pin[0]] = set_pin(read(root, pin[0]), pin, f"{pin[2]}{IMAGE}:{version}")

    def commit(message: str, files: dict[str, str]) -> None:
        for rel, text in files.items():
            try:
                (root / rel).write_bytes(text.encode("utf-8"))
            except OSError as exc:
                raise ReleaseError(f"cannot write {rel}: {exc.strerror or exc}") from None
        git(root, "commit", "--quiet", "--message", message, "--", *files)

    commit(f"Release {version}", edits)
    git(root, "tag", "--annotate", "--message", f"Release {version}", tag)
    after = set_pin(edits[ACTION], ACTION_PIN, "Dockerfile")
    commit(f"Development after {version}", {ACTION: after})
    print(f"git push origin {branch} {tag}")


class ArgParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one `release:` line and exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"release: {message}\n")
        sys.exit(2)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = ArgParser(prog="release.py", description="Release checks and preparation for baton.")
    rooted = ArgParser(add_help=False)
    rooted.add_argument("--root", type=Path, help="the repository (default: this script's)")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", parents=[rooted], help="verify a tagged release commit")
    check.add_argument("--tag", required=True, help="the release tag, vX.Y.Z[-PRERELEASE]")
    dist = sub.add_parser("dist", help="verify the built sdist and wheel")
    dist.add_argument("dir", type=Path)
    dist.add_argument("--version", required=True, dest="dist_version")
    notes = sub.add_parser("notes", parents=[rooted], help="print a version's changelog body")
    notes.add_argument("version")
    prepare = sub.add_parser("prepare", parents=[rooted], help="commit and tag a release")
    prepare.add_argument("version")
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    prepare.add_argument("--date", default=today, help="release date (default: today, UTC)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        if args.command == "dist":
            cmd_dist(args.dir, args.dist_version)
            return 0
        script_dir = Path(__file__).resolve().parent
        root = args.root or Path(git(script_dir, "rev-parse", "--show-toplevel").strip())
        if args.command == "check":
            cmd_check(root, args.tag)
        elif args.command == "notes":
            sys.stdout.write(section_body(read(root, CHANGELOG), args.version, dated=False))
        else:
            cmd_prepare(root, args.version, args.date)
    except ReleaseError as exc:
        reason = str(exc)
    except OSError as exc:
        reason = f"{exc.filename or 'I/O error'}: {exc.strerror or exc}"
    except Exception as exc:  # never a traceback: the reason, on one line
        reason = f"unexpected {type(exc).__name__}: {exc}"
    else:
        return 0
    sys.stderr.write("release: " + " ".join(reason.splitlines()) + "\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
