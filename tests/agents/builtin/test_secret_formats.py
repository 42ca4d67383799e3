"""Credential formats and private key headers found by baton's own scan beside detect-secrets
(Google API keys, key headers detect-secrets does not know, connection-string passwords),
through the real security agent: what is flagged, what is not, and where the values go."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from baton.agents.base import AgentOutput
from baton.agents.builtin import secret_formats
from baton.agents.builtin.security import SecurityAgent
from baton.findings.merge import rule_family
from baton.findings.model import Finding, Severity
from baton.settings import Settings
from tests.agents.builtin.agent_harness import new_file, run_agent

BODY = [
    "tRBiFbd9U1BogKeMkY0lq49yuEzH+AqNoUdEuAMI1NwZhSk3gFuW6E1D/k/ChP2t",
    "Vz82CxTl8a4D6O8HxwnmZxy7Ql0Ie53/3LKseyB0XExpnO5zrNwsiC/qxXqHK8p0",
    "IiBQ52bRH0L672NRt0lWeA==",
]
"""Random base64 in the shape of a key's body (no key)."""
GOOGLE_KEY = "AIza" + "mHLQGWL_60rNQ0ZyKVToU-eRXMCDHGA6Kv_"
DB_PASSWORD = "LAxXzSoq-1gsdB_KwIP5iWB%Rq"
PUTTY_PRIVATE = "AAAAIFv3b8Kx1mQ9rT2pW7nZc4Ls6yH0dJ5fG8eA3uKtR1oV"
CRITICAL = Severity.CRITICAL
PRIVATE_KEY, GOOGLE, KEYWORD = (
    "secret-private-key",
    "secret-google-api-key",
    "secret-secret-keyword",
)


def pem(label: str, indent: str = "") -> str:
    """A PEM block with `label` (`ENCRYPTED PRIVATE KEY`) around `BODY`."""
    lines = [f"-----BEGIN {label}-----", *BODY, f"-----END {label}-----"]
    return "".join(f"{indent}{line}\n" for line in lines)


def putty(version: int) -> str:
    return (
        f"PuTTY-User-Key-File-{version}: ssh-ed25519\nEncryption: none\nComment: deploy@build\n"
        "Public-Lines: 1\nAAAAC3NzaC1lZDI1NTE5AAAAIDhZ2t9r4kQm0vXo8Jq1c5bE3wYp7nL6sR2uT4vW\n"
        f"Private-Lines: 1\n{PUTTY_PRIVATE}\n"
        "Private-MAC: 4b6e1f0c9d2a7e8b3c5d6f1a0e9b8c7d2a4f6e1c0b9d8a7e3f5c2b1a0d9e8f7c\n"
    )


def connection(settings: str) -> str:
    return f'{{\n  "ConnectionStrings": {{\n    "Default": "{settings}"\n  }}\n}}\n'


@dataclass(frozen=True)
class Row:
    name: str
    path: str
    text: str
    rule: str | None
    """The rule of the one hard-coded-secret finding expected on the file; None: none at all."""
    lines: tuple[int, int | None] = (0, None)
    """The expected finding's first and last line (None: one line, no span)."""


SERVER = "Server=db.internal;Database=app;User Id=app;"
FLAGGED = [
    Row("encrypted-pkcs8", "certs/client.key", pem("ENCRYPTED PRIVATE KEY"), PRIVATE_KEY, (1, 5)),
    Row("putty-v3", "tools/deploy.ppk", putty(3), PRIVATE_KEY, (1, 8)),
    Row("putty-v2-merged", "tools/old.ppk", putty(2), PRIVATE_KEY, (1, 8)),
    Row(
        "key-in-yaml-block",
        "ansible/web.yml",
        "workers: 4\nssh_host_key: |\n" + pem("DSA PRIVATE KEY", "  ") + "user: www\n",
        PRIVATE_KEY,
        (3, 7),
    ),
    Row(
        "encrypted-key-in-python",
        "app/keys.py",
        f'KEY = b"""\n{pem("ENCRYPTED PRIVATE KEY")}"""\n',
        PRIVATE_KEY,
        (2, 6),
    ),
    Row(
        "google-key-js",
        "web/maps.js",
        f'export const URL = "https://maps.googleapis.com/maps/api/js?key={GOOGLE_KEY}&v=3";\n',
        GOOGLE,
        (1, None),
    ),
    Row("google-key-python", "app/geo.py", f'MAPS = "{GOOGLE_KEY}"\n', GOOGLE, (1, None)),
    Row("google-key-dotenv", "svc/.env", f"MAPS_URL_KEY={GOOGLE_KEY}\n", GOOGLE, (1, None)),
    Row(
        "appsettings-connection-string",
        "src/Api/appsettings.json",
        connection(f"{SERVER}Password={DB_PASSWORD};"),
        KEYWORD,
        (3, None),
    ),
    Row(
        "web-config-connection-string",
        "src/Web/Web.config",
        '<connectionStrings>\n  <add name="db" connectionString="Data Source=sql1;Initial '
        f'Catalog=app;User ID=web;Password={DB_PASSWORD}" />\n</connectionStrings>\n',
        KEYWORD,
        (2, None),
    ),
    Row(
        "jdbc-url-properties",
        "src/main/resources/app.properties",
        f"db.url=jdbc:sqlserver://db:1433;databaseName=app;user=sa;password={DB_PASSWORD}\n",
        KEYWORD,
        (1, None),
    ),
    Row(
        "odbc-braces-python",
        "etl/db.py",
        f'CONN = "DRIVER={{ODBC Driver 18}};SERVER=db;UID=etl;PWD={{{DB_PASSWORD}}}"\n',
        KEYWORD,
        (1, None),
    ),
]
BENIGN = [
    Row("public-key", "keys/deploy.pub.pem", pem("PUBLIC KEY"), None),
    Row("certificate", "certs/server.crt", pem("CERTIFICATE"), None),
    Row(
        "header-alone-in-code",
        "app/detect.py",
        'def is_encrypted(text):\n    return "-----BEGIN ENCRYPTED PRIVATE KEY-----" in text\n',
        None,
    ),
    Row("google-x-body", "docs/maps.md", f"Set `key={'AIza' + 'X' * 35}`.\n", None),
    Row("google-elided", "docs/setup.md", "Your key looks like `AIza...`.\n", None),
    Row(
        "google-example-body", "docs/api.md", "key: AIzaSyEXAMPLEexampleEXAMPLEexample12345\n", None
    ),
    Row(
        "connection-reference",
        "deploy/appsettings.json",
        connection(SERVER + "Password=${DB_PASSWORD};"),
        None,
    ),
    Row("connection-empty", "local/appsettings.json", connection(SERVER + "Password=;"), None),
    Row(
        "connection-integrated",
        "win/appsettings.json",
        connection("Server=db;Database=app;Integrated Security=true;"),
        None,
    ),
]
ROWS = [*FLAGGED, *BENIGN]


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> AgentOutput:
    """The real security agent, once, over every file of `ROWS`."""
    root = tmp_path_factory.mktemp("formats") / "repo"
    files = [new_file(root, f"{row.name}/{row.path}", row.text) for row in ROWS]
    return run_agent(SecurityAgent(), root, files)


def _secret_findings(output: AgentOutput, row: Row) -> list[Finding]:
    return [
        f
        for f in output.findings
        if f.path == f"{row.name}/{row.path}" and rule_family(f.rule_id) == "hardcoded-secret"
    ]


@pytest.mark.parametrize("row", FLAGGED, ids=[row.name for row in FLAGGED])
def test_each_format_is_one_critical_finding_over_its_lines(
    reviewed: AgentOutput, row: Row
) -> None:
    found = _secret_findings(reviewed, row)
    assert [(f.rule_id, f.severity, f.line, f.end_line) for f in found] == [
        (row.rule, CRITICAL, *row.lines)
    ]


@pytest.mark.parametrize("row", BENIGN, ids=[row.name for row in BENIGN])
def test_benign_shapes_are_not_flagged(reviewed: AgentOutput, row: Row) -> None:
    found = _secret_findings(reviewed, row)
    assert [(f.rule_id, f.severity, f.line) for f in found] == []


def test_values_go_to_the_redactor_and_never_into_a_finding(reviewed: AgentOutput) -> None:
    values = (GOOGLE_KEY, DB_PASSWORD, PUTTY_PRIVATE, *BODY)
    dumped = json.dumps([f.model_dump() for f in reviewed.findings])
    assert [value for value in values if value in dumped] == []
    assert set(values) <= set(reviewed.secrets)


def test_a_pragma_honoured_by_the_configuration_silences_the_formats(tmp_path: Path) -> None:
    text = f'MAPS = "{GOOGLE_KEY}"  # pragma: allowlist secret\n'
    file = new_file(tmp_path, "app/geo.py", text)
    honored = run_agent(
        SecurityAgent(), tmp_path, [file], settings=Settings(honor_tool_suppressions=True)
    )
    assert [f.rule_id for f in honored.findings if f.rule_id.startswith("secret-")] == []
    output = run_agent(SecurityAgent(), tmp_path, [file])
    assert [f.rule_id for f in output.findings if f.rule_id.startswith("secret-")] == [GOOGLE]


BLOCKS = [
    ("yaml-block-scalar", ["key: |", *pem("EC PRIVATE KEY", "  ").splitlines()], (2, 6), True),
    (
        "one-json-line",
        [f'"k": "-----BEGIN PRIVATE KEY-----\\n{BODY[0]}\\n-----END PRIVATE KEY-----\\n"'],
        (1, 1),
        True,
    ),
    ("no-end", ["-----BEGIN RSA PRIVATE KEY-----", *BODY], (1, 1), False),
    ("no-header", ["private_key: see the vault"], (1, 1), False),
]


@pytest.mark.parametrize(
    ("lines", "block", "material"), [b[1:] for b in BLOCKS], ids=[b[0] for b in BLOCKS]
)
def test_a_key_block_from_the_line_reported(
    lines: list[str], block: tuple[int, int], material: bool
) -> None:
    start, end, pieces = secret_formats.key_block(lines, 1)
    assert ((start, end), BODY[0] in pieces) == (block, material)
