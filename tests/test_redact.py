"""The redaction boundary: what it removes, the stub it leaves, and what it leaves alone."""

from __future__ import annotations

import json

import pytest

from baton.findings.model import Finding, Severity
from baton.redact import Redactor, redact, redact_data, redact_model, redacting, stub

FOUND = "correct-horse-battery-staple"
BODY = "MIIEpAIBAAKCAQEAx1y2z3"
ENV_TOKEN = "ghs_0123456789abcdefghijklmnopqrstuvwxyzAB"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("key AKIAZ3MHQX7TQ2VJ5K4P here", "AKIAZ3MHQX7TQ2VJ5K4P"),
        ('aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', "K7MDENG/bPxRfi"),
        ("token ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "ghp_abcdefghijklmnop"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "0123456789_abcdef"),
        ("glpat-abcdefghijklmnopqrst", "abcdefghijklmnopqrst"),
        ("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123", "abcdefghijklmnopqrstuvwxyz0123"),
        ("xoxb-1234567890-abcdefghijkl", "1234567890-abcdefghijkl"),
        ("sk_live_abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwx"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJzdWIiOiIxIn0"),
        ("https://deploy:hunter2pass@registry.example/x", "hunter2pass"),
        ('const key = "AIzaSyD4k9Qm2Lx7Vt3Rw8Yp1Zn6Hc5Jb0Fg2Es";', "SyD4k9Qm2Lx7Vt3Rw8Yp"),
        (f"-----BEGIN RSA PRIVATE KEY-----\n{BODY}\n-----END RSA PRIVATE KEY-----", BODY),
        (f"quoted {{'{FOUND}', '{FOUND}'}}", FOUND),
        (f"Authorization: token {ENV_TOKEN}", ENV_TOKEN),
    ],
)
def test_secrets_credentials_and_job_tokens_leave_a_stub(text: str, secret: str) -> None:
    redactor = Redactor.for_job({"GITHUB_TOKEN": ENV_TOKEN, "HOME": "/root", "CI": "true"})
    redactor.add([FOUND])
    cleaned = redactor.text(text)
    assert secret not in cleaned
    assert "redacted " in cleaned
    assert redactor.text(cleaned) == cleaned  # idempotent: writers may pass it again


def test_the_stub_is_recognisable_and_stable() -> None:
    assert stub("AKIAZ3MHQX7TQ2VJ5K4P") == stub("AKIAZ3MHQX7TQ2VJ5K4P")
    assert stub("AKIAZ3MHQX7TQ2VJ5K4P").startswith("AKIA…[redacted ")
    assert stub("abc").startswith("…[redacted ")  # too short to show anything of
    assert stub("AKIAZ3MHQX7TQ2VJ5K4P") != stub("AKIAZ3MHQX7TQ2VJ5K4Q")


@pytest.mark.parametrize(
    "text",
    [
        "fingerprint 82eb89b77472980eed00 and sha 3f6e2128939d5b2a",
        "src/app/pkg_1/mod_12.py:40 B602 subprocess call with shell=True",
        "true false 12345 HOME=/root",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    redactor = Redactor.for_job({"CI": "true", "HOME": "/root", "SHORT_TOKEN": "abc"})
    assert redactor.text(text) == text


def test_values_found_later_are_redacted_from_then_on() -> None:
    redactor = Redactor()
    assert redactor.text(f"x {FOUND}") == f"x {FOUND}"
    redactor.add([FOUND, "short"])
    assert FOUND not in redactor.text(f"x {FOUND}")
    assert redactor.text("short") == "short"


def test_data_and_models_are_redacted_in_every_string_before_rendering() -> None:
    finding = Finding(
        agent="claude-security",
        rule_id="hardcoded-secret",
        severity=Severity.CRITICAL,
        path="app/settings.py",
        line=3,
        title=f"The key {FOUND} is committed",
        message="It is `correct-horse-battery-staple` (escaped later as correct\\-horse…).",
    )
    with redacting(Redactor([FOUND])):
        cleaned = redact_model(finding)
        data = redact_data({"nested": [{FOUND: FOUND}]})
        text = redact(f"log line {FOUND}")
    assert FOUND not in json.dumps(cleaned.model_dump()) + json.dumps(data) + text
    assert cleaned.path == "app/settings.py" and cleaned.line == 3


def test_outside_a_run_credential_patterns_still_apply() -> None:
    assert "AKIAZ3MHQX7TQ2VJ5K4P" not in redact("AKIAZ3MHQX7TQ2VJ5K4P")
