"""Committed passwords through the real `baton review`: a generated password given to a
secret-named key fails the default gate in configuration files and code alike, its value
reaches no channel, placeholders pass, and a tool's allowlist marker added beside the value
silences nothing. See `tests/hostile/harness.py` for what a row holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.harness import Case, problems, run_case

PASSWORD = "Hq7vZ2mLx9Rk4TbW8pNc"
"""Generated: 20 characters, 4.3 bits/char, three character classes."""

KEYWORD = {"agent": "security", "rule_id": "secret-secret-keyword", "severity": "CRITICAL"}
MARKER = {"agent": "baton", "rule_id": "baton-tool-suppression", "severity": "INFO"}
BLOCKING = ({"severity": "CRITICAL"}, {"severity": "HIGH"})

CASES = [
    Case(
        "dotenv-password",
        "an unquoted password in a .env file, which detect-secrets' keyword regexes miss",
        head={"deploy/.env": f"DB_HOST=db.internal\nDB_PASSWORD={PASSWORD}\n"},
        has=({**KEYWORD, "path": "deploy/.env", "line": 2},),
        secrets=(PASSWORD,),
    ),
    Case(
        "yaml-password",
        "an unquoted password nested in a YAML mapping",
        head={"deploy/values.yaml": f"database:\n  user: app\n  password: {PASSWORD}\n"},
        has=({**KEYWORD, "path": "deploy/values.yaml", "line": 3},),
        secrets=(PASSWORD,),
    ),
    Case(
        "go-token",
        "a token given with Go's := under a name detect-secrets does not list",
        head={
            "cmd/client.go": (
                "package main\n\nfunc token() string {\n"
                f'\tapiToken := "{PASSWORD}"\n\treturn apiToken\n}}\n'
            )
        },
        has=({**KEYWORD, "path": "cmd/client.go", "line": 4},),
        secrets=(PASSWORD,),
    ),
    Case(
        "placeholders-pass",
        "placeholders, templates and environment lookups given to secret names",
        head={
            "deploy/.env": "DB_PASSWORD=changeme\nAPI_KEY=${API_KEY}\nTOKEN=<your-token>\n",
            "deploy/values.yaml": "password: '{{ db_password }}'\nsecret: xxxxxxxx\n",
            "app/settings.py": 'import os\n\nPASSWORD = os.environ["DB_PASSWORD"]\n',
        },
        exit=0,
        lacks=BLOCKING,
    ),
    Case(
        "allowlist-beside-a-password",
        "detect-secrets' pragma: allowlist secret added on the password's own line",
        head={"deploy/.env": f"DB_PASSWORD={PASSWORD}  # pragma: allowlist secret\n"},
        has=({**KEYWORD, "path": "deploy/.env", "line": 1}, {**MARKER, "line": 1}),
        secrets=(PASSWORD,),
    ),
    Case(
        "allowlist-nextline-above-a-password",
        "pragma: allowlist nextline secret above a YAML password",
        head={
            "deploy/values.yaml": (f"# pragma: allowlist nextline secret\npassword: {PASSWORD}\n")
        },
        has=({**KEYWORD, "line": 2}, {**MARKER, "line": 1}),
        secrets=(PASSWORD,),
    ),
    Case(
        "nosec-beside-a-password",
        "bandit's # nosec added on a Python password's line",
        head={"app/settings.py": f'DB_PASSWORD = "{PASSWORD}"  # nosec\n'},
        has=({**KEYWORD, "path": "app/settings.py", "line": 1}, {**MARKER, "line": 1}),
        secrets=(PASSWORD,),
    ),
]

assert len({case.name for case in CASES}) == len(CASES), "case names must be unique"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_secret(case: Case, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    outcome = run_case(case, tmp_path, request)
    found = problems(case, outcome)
    assert not found, (
        f"{case.name} ({case.why}):\n- "
        + "\n- ".join(found)
        + f"\n--- stderr ---\n{outcome.channels['stderr'][-3000:]}"
    )
