"""baton's own rules for CI files, run in-process beside zizmor, shellcheck and hadolint.

The `shell`, `dockerfile` and `workflows` agents add these findings to their tool's. Each rule
is a pure function of a file's text (`scan_shell`, `scan_dockerfile`, `scan_workflow`), read
line by line with the shell's continuations joined: a finding sits on the first line of the
offending command, its `end_line` on the command's last line. Dockerfile `RUN` instructions
(continuation lines and the here-document they run) are shell text, and the shell rules run
there with their own ids, as hadolint runs shellcheck's. Where the tool reports the same
problem on the same line (the rule's `beside` ids), the rule stays silent there.

Rules (id, slug, severity, CWE):

* BTN701 `download-piped-to-shell` (MEDIUM, CWE-494): `curl …|sh`, `wget -O- …|sudo bash`,
  `…| python3 -` (not `-c`/`-m`), `bash <(curl …)`, `sh -c "$(curl …)"`, `eval "$(curl …)"`.
  Not: a download to a file, `curl …| tee log`, `curl …| python3 -c '…json…'`.
* BTN702 `tls-verification-off` (HIGH, CWE-295): `curl -k`/`--insecure` (also inside
  `-fsSLk`), `wget --no-check-certificate`, pip `--trusted-host` or an `http://` index
  (`-i`, `--index-url`, `--extra-index-url`, `--find-links`; not localhost), `git -c
  http.sslVerify=false`, `git config http.sslverify false`, `npm|yarn|pnpm … strict-ssl
  false`, `GIT_SSL_NO_VERIFY=1`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`,
  `PIP_TRUSTED_HOST=`, `PIP_INDEX_URL=http://…`, wget's `check_certificate = off`, apt's
  `Acquire::https::Verify-Peer false`.
* BTN703 `world-writable-permissions` (MEDIUM, CWE-732): `chmod 777|666|o+w|a+w|a=rwx`
  (`-R` too), `mkdir -m 777`, `install -m 666`, `umask 000`. Not: 755, `+w`, `g+w`, a
  sticky mode such as 1777 (a shared directory done right).
* BTN704 `eval-of-variable` (HIGH, CWE-95): a variable or argument as the command eval
  runs: `eval "$1"`, `eval $cmd`, `eval "$@"`, `eval "${cmd}" args`, `eval exec "$cmd"`,
  `eval "$($cmd)"`. Not: a command substitution of a named program (`eval "$(ssh-agent
  -s)"`, `eval "$(pyenv init -)"`: its output is the program's, not a caller's), literal
  text, and an expansion inside a written-out command (indirect assignment `eval
  "x=\\$$name"`, `eval "set -- $opts"`, `eval apt-get $OPTS`): common idioms whose input is
  usually the script's own.
* BTN705 `predictable-temp-file` (MEDIUM, CWE-377), shell scripts only: `/tmp/name.$$`,
  `$TMPDIR/x.$RANDOM`, a fixed `/tmp/x` (also /var/tmp, /dev/shm) written with `>`, `>>` or
  `tee`. Not: `mktemp`, a path built from a variable. A Dockerfile `RUN` builds in a
  container of its own, where no other user can race it.
* BTN706 `xtrace-prints-secrets` (MEDIUM, CWE-532): `set -x`, `set -o xtrace`, `set -ex…`
  or a `#!… -x` shebang, followed (before any `set +x`) by a command expanding or assigning
  a secret-named variable (TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, APIKEY, CREDENTIALS,
  `…_PASS`, `…_KEY` but not GPG or public keys, not `…_FILE`/`…_ID`/`…_URL`). The finding
  is on the `set -x` line.
* BTN801 `no-user` (MEDIUM, CWE-250): the final stage, and the stages it is built `FROM`,
  set no `USER`: a whole-file finding (line None). Not when the base is `scratch`, a
  `nonroot` image (distroless `:nonroot`), a `$VARIABLE`, or under `.devcontainer/`; a last
  `USER root` is hadolint's DL3002.
* BTN802 `add-remote-without-checksum` (MEDIUM, CWE-494): `ADD http(s)://…` without
  `--checksum=`. Not: `ADD ./local /x`, a git URL (`….git#ref`).
* BTN803 `secret-in-build-arg` (HIGH, CWE-522): an `ARG` or `ENV` with a secret-named
  variable (as in BTN706) that a later `RUN` of the same stage expands: on the declaration,
  unless hadolint's DL3064 is there, and on the `RUN` line. Not: a `RUN
  --mount=type=secret,…,env=NAME`, `ARG VERSION`.
* BTN901 `pwn-request` (CRITICAL, CWE-829): a `pull_request_target`, `workflow_run` or
  `issue_comment` workflow whose job checks out the pull request (see `workflows`), on the
  `ref:`/`repository:`/`run:` line; zizmor's `dangerous-triggers` is on the trigger line.

Measured against shellcheck 0.11, hadolint 2.15 and zizmor 1.32: none reports these, except
hadolint's DL3064 (a secret-named ARG/ENV, at LOW, whether used or not) and shellcheck's
SC2294 (`eval "$@"`, about arrays, not injection: both stay).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from baton.agents.builtin.ci_rules.dockerfile import RULES as DOCKERFILE_RULES
from baton.agents.builtin.ci_rules.dockerfile import scan_dockerfile
from baton.agents.builtin.ci_rules.model import Rule, is_secret_name
from baton.agents.builtin.ci_rules.shell import RULES as SHELL_RULES
from baton.agents.builtin.ci_rules.shell import scan_shell
from baton.agents.builtin.ci_rules.workflows import RULES as WORKFLOW_RULES
from baton.agents.builtin.ci_rules.workflows import scan_workflow
from baton.change.model import SkippedFile
from baton.change.workspace import Workspace
from baton.findings.model import Finding

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Rule",
    "Scan",
    "beside",
    "is_secret_name",
    "scan_dockerfile",
    "scan_shell",
    "scan_workflow",
    "with_rules",
]

RULES: tuple[Rule, ...] = (*SHELL_RULES, *DOCKERFILE_RULES, *WORKFLOW_RULES)
RULES_BY_ID = {rule.id: rule for rule in RULES}


class Scan(Protocol):
    def __call__(self, text: str, path: str, *, agent: str) -> list[Finding]: ...


def beside(tool: Iterable[Finding], ours: Iterable[Finding]) -> list[Finding]:
    """`ours` less those whose problem a tool finding reports on the same path and line."""
    taken = {(f.path, f.line, f.rule_id) for f in tool}
    return [
        finding
        for finding in ours
        if not any((finding.path, finding.line, rule) in taken for rule in _beside(finding))
    ]


def with_rules(
    scan: Scan,
    findings: Sequence[Finding],
    workspace: Workspace,
    paths: Iterable[str],
    agent: str,
    skipped: Iterable[SkippedFile] = (),
) -> list[Finding]:
    """The tool's `findings`, then the rules' findings on `paths` (less `skipped` files)
    that the tool does not already report. Lines are counted at LF only, as git does."""
    left_out = {file.path for file in skipped}
    ours: list[Finding] = []
    for path in paths:
        if path not in left_out:
            text = (workspace.text / path).read_bytes().decode("utf-8", "replace")
            ours.extend(scan(text, path, agent=agent))
    return [*findings, *beside(findings, ours)]


def _beside(finding: Finding) -> frozenset[str]:
    rule = RULES_BY_ID.get(finding.rule_id)
    return rule.beside if rule is not None else frozenset()
