"""The Markdown the runner prints: recall per category, the misses, the benign commits."""

from __future__ import annotations

from bench.accuracy.score import BenignResult, CaseResult, benign_summary, category_rows


def markdown(cases: list[CaseResult], benign: list[BenignResult]) -> str:
    parts = []
    if cases:
        parts += [_recall(cases), _misses(cases)]
    if benign:
        parts.append(_benign(benign))
    return "\n\n".join(parts) + "\n"


def _recall(cases: list[CaseResult]) -> str:
    lines = [
        "| group | category | cases | found | recall | at severity | recall at severity "
        "| on the line |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in category_rows(cases):
        accuracy = row["line_accuracy"]
        lines.append(
            f"| {row['group']} | {row['category']} | {row['cases']} | {row['found']} "
            f"| {row['recall']:.2f} | {row['at_severity']} | {row['recall_at_severity']:.2f} "
            f"| {'-' if accuracy is None else f'{accuracy:.2f}'} |"
        )
    total = len(cases)
    found = [c for c in cases if c.found]
    lined = [c for c in found if not c.whole_file]
    at = sum(c.at_severity for c in cases)
    on = sum(c.on_line for c in lined)
    lines.append(
        f"| **all** | | **{total}** | **{len(found)}** | **{len(found) / total:.2f}** "
        f"| **{at}** | **{at / total:.2f}** "
        f"| **{on / len(lined) if lined else 0:.2f}** |"
    )
    return "\n".join(lines)


def _misses(cases: list[CaseResult]) -> str:
    missed = [c for c in cases if not c.at_severity]
    if not missed:
        return "Every case was found at its severity."
    lines = [
        "Cases not found at their severity (what baton gave instead):",
        "",
        "| category | case | least severity | baton |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c.category} | {c.id} | {c.min_severity} | "
        f"{c.best}{'; failed: ' + ', '.join(c.failed_agents) if c.failed_agents else ''} |"
        for c in missed
    ]
    return "\n".join(lines)


def _benign(benign: list[BenignResult]) -> str:
    summary = benign_summary(benign)
    lines = [
        "| benign commit | files | exit | CRITICAL | HIGH | MEDIUM | LOW | CRITICAL and HIGH |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for b in benign:
        if not b.replayed:
            lines.append(f"| {b.id} | {b.files} | - | - | - | - | - | not replayed: {b.reason} |")
            continue
        counts = [b.counts.get(level, 0) for level in ("CRITICAL", "HIGH", "MEDIUM", "LOW")]
        alarms = "<br>".join(b.alarms) or "-"
        failed = f" (failed: {', '.join(b.failed_agents)})" if b.failed_agents else ""
        lines.append(
            f"| {b.id} | {b.files} | {b.exit_code} | "
            + " | ".join(str(n) for n in counts)
            + f" | {alarms}{failed} |"
        )
    rules = ", ".join(f"{rule} x{n}" for rule, n in summary["alarm_rules"].items()) or "none"
    exits = ", ".join(f"{code}: {n}" for code, n in summary["exit_codes"].items())
    lines += [
        "",
        f"Benign commits replayed: {summary['replayed']} of {summary['commits']}; "
        f"CRITICAL findings: **{summary['critical']}**, HIGH: **{summary['high']}** "
        f"(by severity and rule: {rules}); exit codes: {exits or 'none'}.",
    ]
    return "\n".join(lines)
