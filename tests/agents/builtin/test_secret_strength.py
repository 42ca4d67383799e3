"""Grading keyword secrets: the scoring rule on its own, then the real security agent (real
detect-secrets, real bandit) over files in many languages and configuration formats."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from baton.agents.base import AgentOutput
from baton.agents.builtin import secret_strength
from baton.agents.builtin.secret_strength import grade, is_secret_name, not_a_secret
from baton.agents.builtin.security import SecurityAgent
from baton.change.model import ChangeSet
from baton.findings.merge import rule_family
from baton.findings.model import Finding, Severity
from baton.findings.tool_markers import tool_marker_findings
from baton.settings import Settings
from tests.agents.builtin.agent_harness import new_file, run_agent

STRONG = "Hq7vZ2mLx9Rk4TbW8pNc"
"""20 characters, 4.3 bits/char, three character classes: CRITICAL under a secret name."""
SYMBOLS = "Xk9#mP2%vL7qR4!w"
PASSPHRASE = "correct-horse-battery-staple"
"""Words: a real password, but no generated token: HIGH."""
MIDDLING = "Summer2024!"
"""11 characters: looks real, below the 12-character bar: HIGH."""
SHORT = "hunter2"
CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


# The scoring rule, value by value (key DB_PASSWORD unless the row says otherwise).
VALUES = [
    ("strong-mixed", STRONG, "DB_PASSWORD", CRITICAL),
    ("strong-symbols", SYMBOLS, "api_key", CRITICAL),
    ("passphrase", PASSPHRASE, "password", HIGH),
    ("camelcase-phrase", "IAmSensitiveData", "password", HIGH),
    ("hex-token", "3f6e2128939d5b2a9c1e4d7a", "GITHUB_TOKEN", CRITICAL),
    ("uuid-secret", "550e8400-e29b-41d4-a716-446655440000", "client_secret", CRITICAL),
    ("random-lowercase", "kqzvmxwlrtpbnhdgfjcy", "secret", CRITICAL),
    ("eleven-chars", MIDDLING, "password", HIGH),
    ("single-class-word", "supercalifragil", "password", HIGH),
    ("url-with-password", "https://deploy:Pw12345x@db.internal/app", "DATABASE_PASSWORD", HIGH),
    ("too-short", SHORT, "password", MEDIUM),
    ("has-spaces", "open sesame please now", "password", MEDIUM),
    ("names-itself", "mysecretpassword", "password", MEDIUM),
    ("low-entropy", "mamamiamamia", "password", MEDIUM),
    ("one-lowercase-word", "noinherit", "token", MEDIUM),
    ("key-is-a-url", STRONG, "password_reset_url", MEDIUM),
    ("key-is-a-type", STRONG, "token_type", MEDIUM),
    ("key-is-public", STRONG, "public_key", MEDIUM),
    ("key-is-a-hash", STRONG, "hashed_secret", MEDIUM),
    ("empty", "", "password", LOW),
    ("changeme", "changeme", "password", LOW),
    ("word-password", "password", "password", LOW),
    ("word-secret", "secret", "secret", LOW),
    ("common-default", "Password1!", "password", LOW),
    ("x-run", "xxxxxxxxxxxxxxxx", "password", LOW),
    ("stars", "***", "password", LOW),
    ("angle-placeholder", "<your-token>", "token", LOW),
    ("shell-braces", "${DB_PASSWORD}", "password", LOW),
    ("shell-dollar", "$DB_PASSWORD", "password", LOW),
    ("jinja", "{{ db_password }}", "password", LOW),
    ("percent-format", "%(db_password)s", "password", LOW),
    ("format-braces", "{password}", "password", LOW),
    ("ruby-interpolation", "#{ENV['X']}", "password", LOW),
    ("command-substitution", "$(cat /run/secrets/pw)", "password", LOW),
    ("environ", 'os.environ["DB_PASSWORD"]', "password", LOW),
    ("getenv", 'os.getenv("DB_PASSWORD")', "password", LOW),
    ("process-env", "process.env.DB_PASSWORD", "password", LOW),
    ("terraform-var", "var.db_password", "password", LOW),
    ("example-word", "example-Hq7vZ2mLx9", "password", LOW),
    ("aws-docs-example", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret", LOW),
    ("dummy-word", "dummyHq7vZ2mLx9Rk", "password", LOW),
    ("test-word", "test1234", "password", LOW),
    ("fake-word", "fakeHq7vZ2mLx9Rk", "token", LOW),
    ("sample-word", "sample-token-value", "token", LOW),
    ("placeholder-word", "placeholder", "password", LOW),
    ("repeated-char", "aaaaaaaaaaaa", "password", LOW),
    ("repeated-unit", "abc1abc1abc1", "password", LOW),
    ("digit-sequence", "12345678", "password", LOW),
    ("letter-sequence", "abcdef", "password", LOW),
    ("keyboard", "qwertyuiop123", "password", LOW),
    ("plain-url", "https://auth.example.org/token", "token", LOW),
    ("absolute-path", "/run/secrets/db_password", "password", LOW),
    ("relative-path", "keys/deploy_key.pem", "private_key", LOW),
    ("boolean", "true", "password", LOW),
    ("number", "3600", "token", LOW),
    ("own-name", "DB_PASSWORD", "DB_PASSWORD", LOW),
    ("end-of-own-name", "privateKeyUsagePeriod", "OID.PRIVATE_KEY_USAGE_PERIOD", LOW),
    ("env-var-name", "GOOGLE_CLOUD_PROJECT", "GOOGLE_APPLICATION_CREDENTIALS", LOW),
    ("regex-class", "([a-z0-9]{64})", "secret", LOW),
    ("regex-lookahead", "(?=\\s|#|$)", "token_end", LOW),
]

OUR_WORDS = frozenset({"placeholder"})
"""Values that are words the evidence itself uses."""


@pytest.mark.parametrize(
    ("value", "key", "expected"), [row[1:] for row in VALUES], ids=[row[0] for row in VALUES]
)
def test_grade(value: str, key: str, expected: Severity) -> None:
    found = grade(value, key)
    assert found.severity is expected, found.evidence
    if len(value) >= 3 and value not in OUR_WORDS:
        assert value not in found.evidence


def test_a_keyword_match_without_a_known_key_counts_as_secret_named() -> None:
    assert grade(STRONG, None).severity is CRITICAL
    assert "`" not in grade(STRONG, None).evidence


@pytest.mark.parametrize(
    ("value", "bits"),
    [("", 0.0), ("aaaa", 0.0), ("aabb", 1.0), ("abcd", 2.0), ("abcdefgh", 3.0)],
)
def test_shannon_bits(value: str, bits: float) -> None:
    assert secret_strength.shannon_bits(value) == pytest.approx(bits)


@pytest.mark.parametrize(
    ("value", "classes"), [("abc", 1), ("aB", 2), ("aB3", 3), ("aB3#", 4), ("--", 1)]
)
def test_char_classes(value: str, classes: int) -> None:
    assert secret_strength.char_classes(value) == classes


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("DB_PASSWORD", True),
        ("dbPassword", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("apiKey", True),
        ("x-api-key", True),
        ("api.key", True),
        ("GITHUB_TOKEN", True),
        ("clientSecret", True),
        ("secret_key_base", True),
        ("DB_PASS", True),
        ("privateKey", True),
        ("passwd", True),
        ("password_reset_url", False),
        ("token_type", False),
        ("secretName", False),
        ("PASSWORD_FIELD", False),
        ("public_key", False),
        ("hashed_secret", False),
        ("passenger", False),
        ("tokenizer", False),
        ("max_tokens", False),
        ("sort_key", False),
        ("pass_through", False),
    ],
)
def test_secret_names(key: str, secret: bool) -> None:
    assert is_secret_name(key) is secret


def test_every_reason_is_words_not_the_value() -> None:
    for _, value, key, _ in VALUES:
        reason = not_a_secret(value, key)
        if reason is not None and len(value) >= 3 and value not in OUR_WORDS:
            assert value not in reason


@dataclass(frozen=True)
class Row:
    name: str
    path: str
    text: str
    expected: Severity | None
    """The worst hard-coded-secret finding on the file; None: none at all."""


def rows(value: str, expected: Severity) -> list[Row]:
    """The same value given to a secret-named key in every language and format."""
    v = value
    return [
        Row("python", "app/settings.py", f'DB_PASSWORD = "{v}"\n', expected),
        Row("python-kwarg", "app/db.py", f'connect(host="db", password="{v}")\n', expected),
        Row("javascript", "web/config.js", f'const apiKey = "{v}";\n', expected),
        Row("typescript-typed", "web/auth.ts", f'let dbPassword: string = "{v}";\n', expected),
        Row("typescript-object", "web/env.ts", f'export default {{ token: "{v}" }};\n', expected),
        Row(
            "go-walrus", "cmd/db.go", f'func f() {{\n\ttoken := "{v}"\n\t_ = token\n}}\n', expected
        ),
        Row("go-struct", "cmd/cfg.go", f'var c = Config{{Password: "{v}"}}\n', expected),
        Row("go-typed", "cmd/key.go", f'var apiKey string = "{v}"\n', expected),
        Row("java", "src/App.java", f'class App {{ String apiToken = "{v}"; }}\n', expected),
        Row("kotlin", "src/App.kt", f'val dbPassword: String = "{v}"\n', expected),
        Row("ruby", "lib/app.rb", f'config[:password] = "{v}"\n', expected),
        Row("php", "web/app.php", f"<?php\ndefine('DB_PASSWORD', '{v}');\n", expected),
        Row("csharp", "src/App.cs", f'class A {{ const string ApiKey = "{v}"; }}\n', expected),
        Row("yaml", "deploy/values.yaml", f"db:\n  password: {v}\n", expected),
        Row("yaml-quoted", "deploy/app.yml", f'api_token: "{v}"\n', expected),
        Row("json", "config/app.json", f'{{"db": {{"secret": "{v}"}}}}\n', expected),
        Row("toml", "config/app.toml", f'token = "{v}"\n', expected),
        Row("ini", "config/app.ini", f"[db]\npassword = {v}\n", expected),
        Row("dotenv", "svc/.env", f"DB_PASSWORD={v}\n", expected),
        Row("dotenv-export", "svc/prod.env", f"export AWS_SECRET={v}\n", expected),
        Row("properties", "src/app.properties", f"spring.datasource.password={v}\n", expected),
        Row("shell", "scripts/deploy.sh", f"export API_TOKEN={v}\n", expected),
        Row("no-extension", "scripts/deploy", f"#!/bin/sh\npassword={v}\n", expected),
        Row("dockerfile", "svc/Dockerfile", f"FROM alpine\nENV API_KEY={v}\n", expected),
        Row(
            "terraform", "infra/main.tf", f'resource "x" "y" {{\n  password = "{v}"\n}}\n', expected
        ),
        Row("xml", "conf/settings.xml", f"<server><password>{v}</password></server>\n", expected),
    ]


FILES = [
    *(Row(f"strong-{r.name}", r.path, r.text, r.expected) for r in rows(STRONG, CRITICAL)),
    *(Row(f"middling-{r.name}", f"m/{r.path}", r.text, r.expected) for r in rows(MIDDLING, HIGH)),
    Row("symbols-python", "s/app.py", f'SECRET_KEY = "{SYMBOLS}"\n', CRITICAL),
    Row("passphrase-yaml", "s/app.yaml", f"password: {PASSPHRASE}\n", HIGH),
    Row("short-python", "w/app.py", f'password = "{SHORT}"\n', MEDIUM),
    Row("short-yaml", "w/app.yaml", f"password: {SHORT}\n", MEDIUM),
    Row("changeme-yaml", "p/a.yaml", "password: changeme\n", LOW),
    Row("placeholder-env", "p/.env", "API_KEY=your-api-key-here\n", LOW),
    Row("template-env", "p/t.env", "DB_PASSWORD=${DB_PASSWORD}\n", None),
    Row("jinja-yaml", "p/j.yaml", 'password: "{{ db_password }}"\n', None),
    Row("environ-python", "p/e.py", 'password = os.environ["DB_PASSWORD"]\n', None),
    Row("getenv-go", "p/g.go", 'var token = os.Getenv("API_TOKEN")\n', None),
    Row("sequence-ts", "p/s.ts", 'const password = "12345678";\n', None),
    Row("stars-yaml", "p/x.yaml", "password: '***'\n", None),
    Row("url-yaml", "p/u.yaml", "token_url: https://auth.example.org/oauth/token\n", None),
    Row("path-env", "p/f.env", "PASSWORD_FILE=/run/secrets/db_password\n", None),
    Row("bare-entropy", "e/blob.txt", "data = 'kZ3vQ9xL2mR7tB4nW8pC6yH1jF5dG0sA'\n", MEDIUM),
    Row("bare-entropy-yaml", "e/a.yaml", "checksum: kZ3vQ9xL2mR7tB4nW8pC6yH1jF5dG0sA\n", MEDIUM),
]
VALUES_IN_FILES = (STRONG, MIDDLING, SYMBOLS, PASSPHRASE)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> AgentOutput:
    """The real security agent, once, over every file of `FILES`."""
    root = tmp_path_factory.mktemp("strength") / "repo"
    files = [new_file(root, f"{row.name}/{row.path}", row.text) for row in FILES]
    return run_agent(SecurityAgent(), root, files)


def _secret_findings(output: AgentOutput, row: Row) -> list[Finding]:
    return [
        f
        for f in output.findings
        if f.path == f"{row.name}/{row.path}" and rule_family(f.rule_id) == "hardcoded-secret"
    ]


@pytest.mark.parametrize("row", FILES, ids=[row.name for row in FILES])
def test_severity_through_the_security_agent(reviewed: AgentOutput, row: Row) -> None:
    found = _secret_findings(reviewed, row)
    worst = max((f.severity for f in found), key=lambda s: s.rank, default=None)
    assert worst is row.expected, [(f.rule_id, f.severity, f.message) for f in found]


def test_no_value_is_written_into_a_finding(reviewed: AgentOutput) -> None:
    dumped = json.dumps([f.model_dump() for f in reviewed.findings])
    assert [value for value in VALUES_IN_FILES if value in dumped] == []
    assert set(VALUES_IN_FILES) <= set(reviewed.secrets)  # handed to the redactor instead


def test_a_keyword_line_is_one_finding_whoever_found_it(reviewed: AgentOutput) -> None:
    keyword = [f for f in reviewed.findings if f.rule_id == "secret-secret-keyword"]
    places = [(f.path, f.line) for f in keyword]
    assert len(places) == len(set(places))
    go = next(f for f in keyword if f.path == "strong-go-walrus/cmd/db.go")
    assert (go.line, go.confidence) == (2, "HIGH")
    assert "`token` names a secret" in go.message


MARKED = [
    ("python-pragma", "app.py", f'DB_PASSWORD = "{STRONG}"  # pragma: allowlist secret\n'),
    ("python-nosec", "db.py", f'DB_PASSWORD = "{STRONG}"  # nosec\n'),
    ("js-pragma", "web/config.js", f'const apiKey = "{STRONG}"; // pragma: allowlist secret\n'),
    ("go-nosec", "cmd/db.go", f'var token = "{STRONG}" // #nosec G101\n'),
    ("yaml-pragma", "deploy/values.yaml", f"password: {STRONG}  # pragma: allowlist secret\n"),
    ("env-pragma", "svc/.env", f"DB_PASSWORD={STRONG} # pragma: allowlist secret\n"),
    (
        "nextline-pragma",
        "svc/app.properties",
        f"# pragma: allowlist nextline secret\ndb.password={STRONG}\n",
    ),
]


@pytest.mark.parametrize(("path", "text"), [m[1:] for m in MARKED], ids=[m[0] for m in MARKED])
def test_a_suppression_marker_added_with_the_secret_silences_nothing(
    tmp_path: Path, path: str, text: str
) -> None:
    file = new_file(tmp_path, path, text)
    output = run_agent(SecurityAgent(), tmp_path, [file])
    keyword = [f for f in output.findings if f.rule_id == "secret-secret-keyword"]
    assert [(f.severity, f.line) for f in keyword] == [(CRITICAL, text.count("\n"))]
    [note] = tool_marker_findings(ChangeSet(root=str(tmp_path), files=(file,)), honored=False)
    assert note.severity is Severity.INFO
    assert note.title.startswith("tool suppression not honoured")


@pytest.mark.parametrize(
    ("path", "text"),
    [m[1:] for m in MARKED if "pragma" in m[0]],
    ids=[m[0] for m in MARKED if "pragma" in m[0]],
)
def test_a_base_config_that_honours_the_pragma_silences_both_scans(
    tmp_path: Path, path: str, text: str
) -> None:
    file = new_file(tmp_path, path, text)
    settings = Settings(honor_tool_suppressions=True)
    output = run_agent(SecurityAgent(), tmp_path, [file], settings=settings)
    assert [f.rule_id for f in output.findings if f.rule_id.startswith("secret-")] == []


def test_a_keyword_in_a_binary_file_is_not_graded_up(tmp_path: Path) -> None:
    """Binary files count credential formats only; a keyword literal there stays unreported."""
    blob = tmp_path / "data.bin"
    blob.write_bytes(b"\x00\x01" + f'password = "{STRONG}"\n'.encode())
    file = new_file(tmp_path, "other.txt", "nothing here\n")
    binary = file.model_copy(update={"path": "data.bin", "binary": True, "lines": {}})
    output = run_agent(SecurityAgent(), tmp_path, [file, binary])
    assert [f for f in output.findings if f.path == "data.bin"] == []


def test_lines_beyond_the_scan_limit_are_left_to_detect_secrets() -> None:
    long = "x" * secret_strength.MAX_LINE + f' password = "{STRONG}"'
    assert secret_strength.assignments("a.py", [long], honor=False) == []
    assert [a.key for a in secret_strength.assignments("a.py", [long[-40:]], honor=False)] == [
        "password"
    ]
