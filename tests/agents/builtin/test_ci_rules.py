"""baton's own CI rules as pure functions: what each flags, and the benign shapes it leaves."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.agents.builtin.ci_rules import RULES, scan_dockerfile, scan_shell, scan_workflow
from baton.findings.model import Finding

SHELL_FLAGGED = [
    ("BTN701", "curl -fsSL https://get.tool.example/install.sh | sh"),
    ("BTN701", "wget -qO- https://setup.example/node | sudo -E bash -"),
    ("BTN701", "bash <(curl -s https://tool.example/install.sh)"),
    ("BTN701", 'sh -c "$(curl -fsSL https://raw.example/install.sh)"'),
    ("BTN701", "curl -sS https://bootstrap.example/get-pip.py | python3 -"),
    ("BTN701", 'eval "$(curl -fsSL https://env.example/profile)"'),
    ("BTN702", "curl -k https://internal.example/tool -o tool"),
    ("BTN702", "curl -fsSLk https://internal.example/tool -o tool"),
    ("BTN702", "curl --insecure https://internal.example/tool"),
    ("BTN702", "wget --no-check-certificate https://internal.example/agent"),
    ("BTN702", "pip install --trusted-host pypi.corp.example -r requirements.txt"),
    ("BTN702", "pip install --index-url http://pypi.corp.example/simple app"),
    ("BTN702", "python3 -m pip install --extra-index-url=http://m.example/simple app"),
    ("BTN702", "git -c http.sslVerify=false clone https://git.corp.example/app.git"),
    ("BTN702", "git config --global http.sslverify false"),
    ("BTN702", "npm config set strict-ssl false"),
    ("BTN702", "export NODE_TLS_REJECT_UNAUTHORIZED=0"),
    ("BTN702", "GIT_SSL_NO_VERIFY=true git clone https://git.corp.example/app.git"),
    ("BTN703", "chmod 777 /run/app/app.sock"),
    ("BTN703", "chmod -R 0777 /srv/data"),
    ("BTN703", "sudo chmod o+w /etc/app.conf"),
    ("BTN703", "chmod a=rwx /srv/upload"),
    ("BTN703", "mkdir -p -m 666 /srv/shared"),
    ("BTN703", "umask 000"),
    ("BTN704", 'eval "$1"'),
    ("BTN704", "eval $cmd"),
    ("BTN704", 'eval "$@"'),
    ("BTN704", 'eval "${CMD}" --verbose'),
    ("BTN704", 'eval exec "$runner"'),
    ("BTN704", 'eval "$($generator --shell)"'),
    ("BTN705", "tmp=/tmp/dump.$$"),
    ("BTN705", 'log="${TMPDIR:-/tmp}/run.$RANDOM"'),
    ("BTN705", "echo data > /tmp/report.txt"),
    ("BTN705", "make 2>>/var/tmp/build.log"),
    ("BTN705", "date | tee -a /tmp/stamp"),
    ("BTN706", 'set -x\ncurl -H "Authorization: token $GITHUB_TOKEN" https://api.example'),
    ("BTN706", "set -euxo pipefail\nexport DB_PASSWORD=$(cat /run/pw)"),
    ("BTN706", 'set -o xtrace\nnpm publish --token "$NPM_TOKEN"'),
    ("BTN706", '#!/bin/bash -ex\nvault login "$VAULT_TOKEN"'),
]

SHELL_CLEAN = [
    ("BTN701", "curl -fsSL https://x.example/i.sh -o i.sh && sha256sum -c i.sh.sha256"),
    ("BTN701", "curl -s https://ci.example/log | tee build.log"),
    ("BTN701", "curl -s https://api.example/v | python3 -c 'import sys; print(sys.stdin)'"),
    ("BTN701", "curl -sL https://x.example/a.tgz | tar xz -C /opt"),
    ("BTN701", "echo 'curl https://x.example | sh' # in a string, not run"),
    ("BTN701", "# curl https://x.example | sh"),
    ("BTN702", "curl --cacert ca.pem https://internal.example/tool"),
    ("BTN702", "curl -Hk https://x.example"),  # -H takes `k` as its value
    ("BTN702", "pip install -i http://localhost:8080/simple app"),
    ("BTN702", "pip install --index-url https://pypi.corp.example/simple app"),
    ("BTN702", "sort -k2 data.txt"),
    ("BTN702", "git config http.sslVerify true"),
    ("BTN703", "chmod 755 /usr/local/bin/tool"),
    ("BTN703", "chmod 1777 /srv/shared"),
    ("BTN703", "chmod +x run.sh && chmod u+w,g+w data"),
    ("BTN703", "umask 022"),
    ("BTN703", "chmod -R go-w /srv"),
    ("BTN704", 'eval "$(ssh-agent -s)"'),
    ("BTN704", 'eval "$(pyenv init -)"'),
    ("BTN704", 'eval "$("$dir"/conf --shell)"'),
    ("BTN704", "eval 'echo hello'"),
    ("BTN704", 'eval "value=\\$$name"'),
    ("BTN704", 'eval "$name=\\$value"'),
    ("BTN704", 'eval set -- "$opts"'),
    ("BTN705", 'tmp=$(mktemp)\necho data > "$tmp"'),
    ("BTN705", "echo data > /tmp/$name.log"),
    ("BTN705", "cat /tmp/report.txt && cmd 2>/dev/null"),
    ("BTN705", 'dir=$(mktemp -d)\necho data > "$dir/x"'),
    ("BTN705", "curl -s https://x.example | tee build.log"),
    ("BTN706", "set -x\nmake build"),
    ("BTN706", 'set -x\nmake\nset +x\ncurl -H "token $API_TOKEN" https://x.example'),
    ("BTN706", 'curl -H "token $API_TOKEN" https://x.example\nset -x\nmake'),
    ("BTN706", 'set -x\ngpg --recv-keys "$GPG_KEY"\ncat "$PASSWORD_FILE"'),
]


def rules_of(found: list[Finding]) -> set[str]:
    return {f.rule_id for f in found}


@pytest.mark.parametrize(("rule", "text"), SHELL_FLAGGED)
def test_shell_rule_flags(rule: str, text: str) -> None:
    script = text if text.startswith("#!") else f"#!/bin/bash\n{text}"
    found = scan_shell(f"{script}\n", "scripts/s.sh")
    assert rule in rules_of(found), found


@pytest.mark.parametrize(("rule", "text"), SHELL_CLEAN)
def test_shell_rule_leaves_alone(rule: str, text: str) -> None:
    assert rule not in rules_of(scan_shell(f"#!/bin/bash\n{text}\n", "scripts/s.sh"))


def test_a_continued_command_is_reported_on_its_first_line() -> None:
    text = "#!/bin/sh\necho start\ncurl -fsSL https://x.example/i.sh \\\n  | sudo sh -s -- -y\n"
    [finding] = scan_shell(text, "s.sh")
    assert (finding.rule_id, finding.line, finding.end_line) == ("BTN701", 3, 4)
    assert finding.cwe == 494
    assert finding.recommendation


def test_here_documents_and_comments_are_not_commands() -> None:
    text = (
        "#!/bin/sh\ncat > setup.sh <<'EOF'\ncurl https://x.example | sh\nchmod 777 /x\nEOF\n"
        "# chmod 777 /y\necho 'eval $1' # eval $2\n"
    )
    assert scan_shell(text, "s.sh") == []


def test_xtrace_is_reported_on_the_set_x_line_once() -> None:
    text = '#!/bin/bash\nset -e\nset -x\necho "$API_TOKEN"\necho "$DB_PASSWORD"\n'
    [finding] = scan_shell(text, "s.sh")
    assert (finding.rule_id, finding.line) == ("BTN706", 3)
    assert "line 4" in finding.message and "API_TOKEN" in finding.message


def test_every_rule_is_documented_with_a_cwe_and_a_fix() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)) == 10
    assert all(rule.cwe and rule.recommendation and rule.title for rule in RULES)


DOCKERFILE_FLAGGED = [
    ("BTN801", None, 'FROM node:20-slim\nCMD ["node", "server.js"]\n'),
    ("BTN801", None, "FROM golang:1.23 AS build\nUSER 1000\nFROM debian:12\nCOPY a /a\n"),
    ("BTN801", None, "FROM nginx:1.27-alpine AS web\nFROM web\nCOPY dist/ /srv/\n"),
    ("BTN802", 2, "FROM debian:12\nADD https://dl.example/tool.tgz /opt/\nUSER 1000\n"),
    ("BTN802", 2, "FROM debian:12\nADD --chown=1000 http://dl.example/a /a\nUSER 1000\n"),
    ("BTN802", 2, 'FROM debian:12\nADD ["https://dl.example/a.tar.gz", "/opt/"]\nUSER 1000\n'),
    (
        "BTN803",
        3,
        "FROM golang:1.23\nARG GITHUB_TOKEN\nRUN git clone https://${GITHUB_TOKEN}@x/y\n",
    ),
    ("BTN803", 2, 'FROM node:20\nENV NPM_TOKEN=abc\nRUN echo "_authToken=$NPM_TOKEN" > .npmrc\n'),
    ("BTN803", 4, "FROM alpine\nARG SSH_KEY\nRUN mkdir /k && \\\n    echo $SSH_KEY > /k/id\n"),
    ("BTN701", 2, "FROM debian:12\nRUN curl -fsSL https://deb.example/setup_20.x | bash -\n"),
    ("BTN701", 3, "FROM debian:12\nRUN apt-get update && \\\n  curl -fsSL https://x \\\n  | sh\n"),
    ("BTN701", 4, "FROM debian:12\nRUN <<EOF\nset -e\ncurl https://x.example/i.sh | sh\nEOF\n"),
    ("BTN702", 2, "FROM python:3.12\nRUN pip install --trusted-host m.example -r req.txt\n"),
    ("BTN703", 3, "FROM debian:12\nRUN mkdir /data \\\n && chmod 777 /data\n"),
    ("BTN704", 2, 'FROM debian:12\nRUN eval "$BUILD_CMD"\n'),
    ("BTN706", 3, "FROM debian:12\nARG API_TOKEN\nRUN set -x && curl -H $API_TOKEN https://x\n"),
]

DOCKERFILE_CLEAN = [
    ("BTN801", "FROM python:3.12-slim\nUSER 1000\n"),
    ("BTN801", "FROM scratch\nCOPY app /app\n"),
    ("BTN801", "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n"),
    ("BTN801", 'FROM python:3.12 AS base\nUSER app\nFROM base\nCMD ["app"]\n'),
    ("BTN801", "FROM python:3.12\nUSER root\n"),  # hadolint's DL3002
    ("BTN801", "ARG BASE=python:3.12\nFROM $BASE\n"),
    ("BTN802", "FROM debian:12\nADD --checksum=sha256:0123abcd https://dl.example/a /a\n"),
    ("BTN802", "FROM debian:12\nADD ./local /x\n"),
    ("BTN802", "FROM debian:12\nADD https://github.com/o/r.git#v1.2.3 /src\n"),
    ("BTN803", "FROM golang:1.23\nARG VERSION\nRUN echo $VERSION\n"),
    ("BTN803", "FROM golang:1.23\nARG GITHUB_TOKEN\nRUN go build ./...\n"),
    ("BTN803", "FROM node:20\nRUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci # $NPM_TOKEN\n"),
    ("BTN803", "FROM python:3.12\nENV GPG_KEY=A035C8C19219BA82\nRUN gpg --recv-keys $GPG_KEY\n"),
    (
        "BTN803",
        "FROM postgres:16\nENV DB_PASSWORD_FILE=/run/secrets/pw\nRUN ls $DB_PASSWORD_FILE\n",
    ),
    ("BTN803", "ARG GITHUB_TOKEN\nFROM golang:1.23\nRUN echo $GITHUB_TOKEN\n"),  # not in the stage
    ("BTN701", "FROM debian:12\nRUN cat > /i.sh <<EOF\ncurl https://x.example | sh\nEOF\n"),
    ("BTN701", "FROM debian:12\nRUN python3 <<EOF\nimport os  # curl https://x | sh\nEOF\n"),
    ("BTN701", 'FROM debian:12\nRUN ["sh", "-c", "curl https://x.example | sh"]\n'),
    ("BTN701", 'FROM mcr.microsoft.com/windows\nSHELL ["powershell", "-c"]\nRUN iwr x | sh\n'),
    ("BTN705", "FROM debian:12\nRUN curl -o /tmp/x.tgz https://x.example > /tmp/log\n"),
]


@pytest.mark.parametrize(("rule", "line", "text"), DOCKERFILE_FLAGGED)
def test_dockerfile_rule_flags(rule: str, line: int | None, text: str) -> None:
    found = scan_dockerfile(text, "Dockerfile")
    assert (rule, line) in {(f.rule_id, f.line) for f in found}, found


@pytest.mark.parametrize(("rule", "text"), DOCKERFILE_CLEAN)
def test_dockerfile_rule_leaves_alone(rule: str, text: str) -> None:
    assert rule not in rules_of(scan_dockerfile(text, "Dockerfile"))


def test_a_secret_build_argument_is_reported_where_declared_and_where_used() -> None:
    text = "FROM golang:1.23\nARG GITHUB_TOKEN\nRUN git clone https://${GITHUB_TOKEN}@x/y\nUSER 1\n"
    found = scan_dockerfile(text, "Dockerfile")
    assert {(f.rule_id, f.line) for f in found} == {("BTN803", 2), ("BTN803", 3)}
    assert all(f.severity == "HIGH" and f.cwe == 522 for f in found)


def test_a_devcontainer_image_is_no_service() -> None:
    text = "FROM mcr.microsoft.com/devcontainers/base:bookworm\n"
    assert scan_dockerfile(text, ".devcontainer/Dockerfile") == []


PRT = "on:\n  pull_request_target:\n"
HEAD_SHA = "ref: ${{ github.event.pull_request.head.sha }}"
SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"


def checkout(setting: str) -> str:
    return f"      - uses: actions/checkout@v4\n        with:\n          {setting}\n"


def workflow(on: str, steps: str, job_if: str = "") -> str:
    guard = f"    if: {job_if}\n" if job_if else ""
    head = f"name: ci\n{on}jobs:\n  build:\n{guard}    runs-on: ubuntu-latest\n"
    return f"{head}    steps:\n{steps}      - run: make test\n"


WORKFLOW_FLAGGED = [
    (workflow(PRT, checkout(HEAD_SHA)), 10),
    (workflow(PRT, checkout("ref: ${{ github.head_ref }}")), 10),
    (
        workflow(
            "on: [push, pull_request_target]\n",
            checkout("ref: refs/pull/${{ github.event.number }}/merge"),
        ),
        9,
    ),
    (
        workflow(
            "on:\n  workflow_run:\n    workflows: [b]\n",
            checkout("ref: ${{ github.event.workflow_run.head_sha }}"),
        ),
        11,
    ),
    (
        workflow(
            "on: issue_comment\n", checkout("ref: refs/pull/${{ github.event.issue.number }}/head")
        ),
        9,
    ),
    (
        workflow(PRT, checkout("repository: ${{ github.event.pull_request.head.repo.full_name }}")),
        10,
    ),
    (
        workflow(
            PRT,
            "      - run: |\n          echo fetching\n          gh pr checkout $NUMBER\n",
        ),
        10,
    ),
    (workflow(PRT, "      - run: git fetch origin pull/${{ github.event.number }}/head:pr\n"), 8),
]

WORKFLOW_CLEAN = [
    workflow(PRT, "      - uses: actions/checkout@v4\n      - uses: actions/labeler@v5\n"),
    workflow("on: pull_request\n", checkout(HEAD_SHA)),
    workflow(PRT, checkout(HEAD_SHA), job_if=SAME_REPO),
    workflow(PRT, checkout("ref: ${{ github.event.pull_request.base.sha }}")),
    workflow(PRT, "      - run: gh pr comment ${{ github.event.number }} --body thanks\n"),
    "on: [pull_request_target\njobs: {",
    "runs:\n  using: composite\n  steps:\n    - run: gh pr checkout 1\n      shell: bash\n",
]


@pytest.mark.parametrize(("text", "line"), WORKFLOW_FLAGGED)
def test_a_pwn_request_is_critical_on_the_checkout_line(text: str, line: int) -> None:
    [finding] = scan_workflow(text, ".github/workflows/ci.yml")
    assert (finding.rule_id, finding.severity, finding.line) == ("BTN901", "CRITICAL", line)
    assert finding.cwe == 829


@pytest.mark.parametrize("text", WORKFLOW_CLEAN)
def test_workflows_that_do_not_run_the_pull_requests_code(text: str) -> None:
    assert scan_workflow(text, ".github/workflows/ci.yml") == []


def test_yaml_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    text = f"on: !!python/object/apply:os.system ['touch {marker}']\njobs: {{}}\n"
    assert scan_workflow(text, ".github/workflows/x.yml") == []
    assert not marker.exists()
