"""The built-in `dependencies` agent: a package version the change adds or bumps that OSV
knows to be vulnerable, or malicious, is a finding on the line that declares it.

It reviews the changed manifests and lockfiles (`manifests.is_manifest`), and of each only
the entries the change adds or changes (`manifests.changed_entries`: the head's text from
the review's workspace, the base's from the base commit). An entry that pins no exact version
(a range in `package.json` or `pyproject.toml`) is checked at the version a lockfile beside
it at the head resolves it to (`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`;
`poetry.lock`, `uv.lock`, `Pipfile.lock`); with none, it cannot be decided and is listed as
skipped with that reason, as are entries that name no registry version (a git URL, a path).

Every distinct ecosystem, name and version, and the base's version of each bump, goes to OSV
in batched queries (`osv.OsvClient`, at `osv_url`); each advisory is read once. A finding
carries the advisory id as its rule, the advisory's severity (`advisory.severity_of`:
malicious packages CRITICAL), the fixed versions and the advisory's link. A bump that leaves
advisories behind is said in the summary. OSV unreachable, or answering what baton cannot
read, fails the agent with the reason (the review is incomplete unless something blocks),
as does a manifest that does not parse; `dependencies = false` turns the agent off.
"""

from __future__ import annotations

import asyncio
import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from baton.agents.base import AgentContext, AgentOutput
from baton.agents.builtin.dependencies.advisory import (
    advisory_url,
    aliases_of,
    fixed_versions,
    severity_of,
    summary_of,
)
from baton.agents.builtin.dependencies.declared import Declared, Ecosystem
from baton.agents.builtin.dependencies.manifests import Changed, changed_entries, is_manifest
from baton.agents.builtin.dependencies.osv import OsvClient, OsvError, Package
from baton.change.model import ChangedFile, FileStatus, SkippedFile
from baton.change.revision import GitRevision, revision_at
from baton.errors import AgentError, AgentSkipped
from baton.findings.model import Confidence, Finding

LOCKFILES: dict[Ecosystem, tuple[str, ...]] = {
    Ecosystem.NPM: ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"),
    Ecosystem.PYPI: ("poetry.lock", "uv.lock", "Pipfile.lock"),
}
"""Where a range in a manifest of the ecosystem is resolved, looked for beside it."""
OSV_TIMEOUT = 40.0
"""Seconds per OSV request: OSV's own server gives a batch query up to 35 s."""
ANCHOR_REACH = 12
"""Lines below a declaration searched for the added line that holds its version."""


class DependenciesAgent:
    name = "dependencies"
    engine = "builtin"
    description = "package versions the change adds or bumps, looked up in OSV"
    fails_open = False
    keeps_outside_findings = False
    scans_skipped_files = True  # lockfiles are skipped as generated: they come in `secrets_only`

    def accepts(self, file: ChangedFile) -> str | None:
        if file.status is not FileStatus.DELETED and is_manifest(file.path):
            return None
        return "not a dependency manifest or lockfile"

    async def run(self, ctx: AgentContext) -> AgentOutput:
        if not ctx.settings.dependencies:
            raise AgentSkipped("turned off (dependencies = false)")
        root = Path(ctx.change.root)
        files = [*ctx.files, *ctx.secrets_only]
        bases = _base_texts(root, ctx.change.base, files)
        output = AgentOutput()
        wanted: list[tuple[Declared, ChangedFile]] = []
        problems: list[str] = []
        for file in files:
            changed = changed_entries(file.path, _head_text(ctx, file), bases.get(file.path))
            problems += [changed.problem.reason] if changed.problem else []
            output.skipped += _skips(changed)
            for entry in changed.entries:
                resolved = entry if entry.version else _resolved(ctx, root, entry)
                if resolved is None:
                    reason = f"{entry.name} {entry.spec}: a range with no lockfile beside it"
                    output.skipped.append(_skip(entry.path, entry.line, reason))
                else:
                    wanted.append((resolved, file))
        if problems:
            raise AgentError("; ".join(problems), retryable=False)
        try:
            findings, fixed = await _look_up(ctx.settings.osv_url, wanted)
        except OsvError as err:
            raise AgentError(str(err)) from err
        output.findings = findings
        checked = len({_key(entry) for entry, _ in wanted})
        output.metrics = {"packages": float(checked), "vulnerable_findings": float(len(findings))}
        output.summary = _summary(checked, findings, fixed)
        return output


async def _look_up(
    url: str, wanted: Sequence[tuple[Declared, ChangedFile]]
) -> tuple[list[Finding], list[str]]:
    """Findings for the vulnerable versions; what the bumps fixed, as phrases."""
    if not wanted:
        return [], []
    now = {_key(entry): entry for entry, _ in wanted}
    before = {
        (e.ecosystem, e.name, e.previous): e
        for e, _ in wanted
        if e.previous and e.previous != e.version
    }
    keys = list(dict.fromkeys([*now, *before]))
    packages = [Package(str(eco), name, version) for eco, name, version in keys]
    async with OsvClient(url, timeout=OSV_TIMEOUT) as client:
        ids = dict(zip(keys, await client.query(packages), strict=True))
        unique = list(dict.fromkeys(i for found in ids.values() for i in found))
        fetched = await asyncio.gather(*(client.vulnerability(i) for i in unique))
    records = dict(zip(unique, fetched, strict=True))
    findings = [
        _finding(entry, file, records[i])
        for entry, file in wanted
        for i in _distinct(ids[_key(entry)], records, entry)
    ]
    fixed = []
    for key, entry in before.items():
        gone = sorted(set(ids[key]) - set(ids[_key(entry)]))
        if gone:
            fixed.append(f"{entry.name} {key[2]} → {entry.version} ({', '.join(gone)})")
    return findings, fixed


def _distinct(
    ids: Sequence[str], records: dict[str, dict[str, object]], entry: Declared
) -> list[str]:
    """One advisory per vulnerability: of ids that are aliases of each other (a PYSEC and its
    GHSA), the most severe, which names the others in its message."""
    ranked = sorted(
        ids,
        key=lambda i: (
            -severity_of(records[i], ecosystem=str(entry.ecosystem), name=entry.name).rank
        ),
    )
    kept: list[str] = []
    for vuln_id in ranked:
        names = {vuln_id, *aliases_of(records[vuln_id])}
        if not any(k in names or vuln_id in aliases_of(records[k]) for k in kept):
            kept.append(vuln_id)
    return kept


def _finding(entry: Declared, file: ChangedFile, record: dict[str, object]) -> Finding:
    vuln_id = str(record.get("id", "?"))
    eco, name, version = entry.ecosystem, entry.name, entry.version or "?"
    malicious = vuln_id.startswith("MAL-")
    fixes = fixed_versions(record, str(eco), name)
    aliases = [a for a in aliases_of(record) if a != vuln_id]
    known_as = f" (also {', '.join(aliases[:4])})" if aliases else ""
    summary = summary_of(record)
    if malicious:
        advice = f"Remove {name}: OSV lists this package as malicious."
    elif fixes:
        target = _next_fix(fixes, version)
        advice = f"Upgrade {name} to {target} or later (fixed in {', '.join(fixes[:4])})."
    else:
        advice = f"No fixed version of {name} is published: remove or replace it."
    return Finding(
        agent=DependenciesAgent.name,
        rule_id=vuln_id,
        rule_url=advisory_url(vuln_id),
        severity=severity_of(record, ecosystem=str(eco), name=name),
        confidence=Confidence.HIGH,
        path=entry.path,
        line=_anchor(file, entry.line, version),
        title=f"{name} {version}: {summary}",
        message=f"{eco} package {name} {version} is affected by {vuln_id}{known_as}: {summary}",
        recommendation=advice,
    )


def _next_fix(fixes: Sequence[str], version: str) -> str:
    """The lowest of `fixes` above `version` by their release numbers (2.2.3.1 for rack 2.2.3,
    not 2.0.9.1 of an older line); the first when none is, or a number cannot be read."""

    def release(text: str) -> tuple[int, ...] | None:
        found = re.match(r"v?(\d+(?:\.\d+)*)", text)
        parts = [int(part) for part in found[1].split(".")] if found else []
        while parts and parts[-1] == 0:
            parts.pop()
        return tuple(parts) if found else None

    now = release(version)
    keys = [(release(fix), fix) for fix in fixes]
    later = [(key, fix) for key, fix in keys if key is not None and now is not None and key > now]
    return min(later)[1] if later else fixes[0]


def _anchor(file: ChangedFile, line: int, version: str) -> int:
    """The declaration's line, or the added line just below it that holds its version (a
    lockfile entry's name line is often unchanged when only its version line is)."""
    if file.is_added(line):
        return line
    for number in range(line + 1, line + ANCHOR_REACH):
        if file.is_added(number) and version in file.lines.get(number, ""):
            return number
    return line


def _resolved(ctx: AgentContext, root: Path, entry: Declared) -> Declared | None:
    """`entry` at the version a lockfile beside it resolves it to, if one does."""
    folder = posixpath.dirname(entry.path)
    for lock_name in LOCKFILES.get(entry.ecosystem, ()):
        lock = posixpath.join(folder, lock_name)
        text = _text_at_head(ctx, root, lock)
        if text is None:
            continue
        locked = changed_entries(lock, text, None).entries
        version = next((e.version for e in locked if e.name == entry.name and e.version), None)
        if version is not None:
            return Declared(
                entry.ecosystem,
                entry.name,
                version,
                f"{entry.spec} (locked at {version} in {lock_name})",
                entry.path,
                entry.line,
                previous=None,
            )
    return None


def _head_text(ctx: AgentContext, file: ChangedFile) -> str | None:
    if not ctx.workspace.has_text(file.path):
        return None
    return (ctx.workspace.text / file.path).read_text(encoding="utf-8", errors="replace")


def _text_at_head(ctx: AgentContext, root: Path, path: str) -> str | None:
    """A file of the head revision, changed or not (a lockfile the change left as it was)."""
    if ctx.workspace.has_text(path):
        return (ctx.workspace.text / path).read_text(encoding="utf-8", errors="replace")
    if ctx.change.head is None:
        return None
    return _texts(root, ctx.change.head, [path]).get(path)


def _base_texts(root: Path, base: str | None, files: Iterable[ChangedFile]) -> dict[str, str]:
    """The base commit's text of each changed file that had one, by its path at the head."""
    if base is None:
        return {}
    old = {file.old_path or file.path: file.path for file in files}
    return {old[path]: text for path, text in _texts(root, base, list(old)).items()}


def _texts(root: Path, commit: str, paths: Sequence[str]) -> dict[str, str]:
    revision = revision_at(root, commit)
    if not isinstance(revision, GitRevision):  # the commit is not in the checkout
        return {}
    entries = {p: e for p, e in revision.entries(paths).items() if e.readable}
    return {p: data.decode("utf-8", "replace") for p, data in revision.contents(entries)}


def _skips(changed: Changed) -> list[SkippedFile]:
    return [_skip(s.path, s.line, f"{s.name}: {s.reason}") for s in changed.skipped]


def _skip(path: str, line: int | None, reason: str) -> SkippedFile:
    where = f" (line {line})" if line else ""
    return SkippedFile(path=path, reason=f"{reason}{where}")


def _key(entry: Declared) -> tuple[Ecosystem, str, str]:
    """What OSV is asked about an entry with a version."""
    return (entry.ecosystem, entry.name, entry.version or "")


def _summary(checked: int, findings: Sequence[Finding], fixed: Sequence[str]) -> str:
    vulnerable = len({(f.path, f.title.split(":", 1)[0]) for f in findings})
    text = f"{checked} package versions checked, {vulnerable} with known vulnerabilities"
    if fixed:
        text += f"; fixed by this change: {'; '.join(fixed[:5])}"
    return text
