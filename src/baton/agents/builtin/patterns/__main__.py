"""The pattern rules as a command: one SARIF 2.1.0 log for the files named.

    python -m baton.agents.builtin.patterns -- ./a.py ./b.py

Every name after `--` is a file, even `-x.py`. Each is read as UTF-8; a file that cannot be
read, is not UTF-8 or is not valid Python is skipped without a result (ruff reports syntax
errors). The log goes to stdout: `runs[0].tool.driver` is `baton-patterns` with every rule
(`id`, `name`, `shortDescription`, `helpUri` to the CWE, `defaultConfiguration.level`,
`properties.tags` with `external/cwe/cwe-N`, `properties["security-severity"]`), and each
result has `ruleId`, `level`, `message.text` and one location: the path as given without a
leading `./`, and `region.startLine`/`endLine`. Exit status 0, or 2 for wrong arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baton._version import __version__
from baton.agents.builtin.patterns import RULES, PatternHit, Rule, scan_source

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL = "baton-patterns"


def sarif_rule(rule: Rule) -> dict[str, Any]:
    tags = ["security", *(f"external/cwe/cwe-{cwe}" for cwe in rule.cwes)]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": f"{rule.short}. {rule.recommendation}"},
        "help": {"text": rule.recommendation},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": rule.level},
        "properties": {
            "tags": tags,
            "security-severity": rule.security_severity,
            "precision": "high",
        },
    }


def artifact_uri(path: str) -> str:
    """The path as given, without leading `./`."""
    while path.startswith("./"):
        path = path[2:]
    return path


def sarif_log(hits: Sequence[tuple[str, PatternHit]], notes: Sequence[str] = ()) -> dict[str, Any]:
    """The log for `(path, hit)` pairs; `notes` are files that could not be scanned."""
    index = {rule.id: number for number, rule in enumerate(RULES)}
    results = [
        {
            "ruleId": hit.rule_id,
            "ruleIndex": index[hit.rule_id],
            "level": RULES[index[hit.rule_id]].level,
            "message": {"text": hit.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": artifact_uri(path)},
                        "region": {"startLine": hit.line, "endLine": hit.end_line},
                    }
                }
            ],
        }
        for path, hit in hits
    ]
    invocation = {
        "executionSuccessful": True,
        "toolExecutionNotifications": [
            {"level": "warning", "message": {"text": note}} for note in notes
        ],
    }
    driver = {
        "name": TOOL,
        "version": __version__,
        "informationUri": "https://cwe.mitre.org/",
        "rules": [sarif_rule(rule) for rule in RULES],
    }
    run = {"tool": {"driver": driver}, "invocations": [invocation], "results": results}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def scan_files(paths: Sequence[str]) -> tuple[list[tuple[str, PatternHit]], list[str]]:
    """Hits per file, in the order given (each file once), and what could not be read."""
    hits: list[tuple[str, PatternHit]] = []
    notes: list[str] = []
    for path in dict.fromkeys(paths):
        try:
            text = Path(path).read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        except OSError as error:
            notes.append(f"{artifact_uri(path)}: not read ({error.strerror or error})")
            continue
        hits.extend((path, hit) for hit in scan_source(text, path))
    return hits, notes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m baton.agents.builtin.patterns",
        description="Scan Python files with baton's pattern rules; print one SARIF log.",
    )
    parser.add_argument("files", nargs="*", help="Python files (put them after --)")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    hits, notes = scan_files(args.files)
    for note in notes:
        print(f"{TOOL}: {note}", file=sys.stderr)
    json.dump(sarif_log(hits, notes), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
