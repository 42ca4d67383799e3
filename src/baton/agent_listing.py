"""`baton agents`: the pipeline a review would run here, with each agent's effective tools.

Configuration is read the way `baton review` reads it: from the base commit (the merge-base
with `--base`, or the default base), or from the working tree with `--trust-head-config` or
when there is no base to compare with. Engines are chosen as a review here would choose
them (a model credential in the environment makes `auto` mean Claude).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from baton.agents.base import Agent
from baton.agents.catalog import Unavailable, plan_phases
from baton.agents.specs import AgentSpec, agent_specs
from baton.change.source import default_base, find_repo_root, merge_base
from baton.errors import UsageError
from baton.repo_config import trusted_config
from baton.settings import Settings, configured_name, load_settings


def list_agents(cli_values: Mapping[str, Any], *, config: Path | None, as_json: bool) -> str:
    start = cli_values.get("repo") or Path.cwd()
    root = find_repo_root(Path(start))
    bootstrap = load_settings(cli_values, {}, "")
    base, where = _base(root, bootstrap)
    repo, notes = trusted_config(
        root, base, trust_head=bootstrap.trust_head_config, explicit=config
    )
    settings = load_settings(cli_values, repo.values, repo.source)
    specs = agent_specs(settings, repo)
    phases = plan_phases(settings, specs, os.environ, lambda line: None)
    rows = [
        _row(number, agent, specs[configured_name(agent.name)], settings)
        for number, phase in enumerate(phases, start=1)
        for agent in phase
    ]
    idle = [
        {"agent": spec.name, "source": spec.source, "description": spec.description}
        for spec in specs.values()
        if spec.name not in {row["agent"] for row in rows}
    ]
    if as_json:
        document = {
            "config": repo.source or None,
            "read_from": where,
            "notes": notes,
            "stop_on": settings.stop_on.value,
            "agents": rows,
            "not_in_pipeline": idle,
        }
        return json.dumps(document, indent=2) + "\n"
    return _table(rows, idle, settings, repo.source, where, notes)


def _base(root: Path, settings: Settings) -> tuple[str | None, str]:
    if settings.trust_head_config:
        return None, "working tree: --trust-head-config"
    try:
        base, _ = merge_base(root, settings.base or default_base(root), settings.head)
    except UsageError:
        if settings.base is not None:
            raise
        return None, "working tree: no base to compare with"
    return base, f"base commit {base[:12]}"


def _row(number: int, agent: Agent, spec: AgentSpec, settings: Settings) -> dict[str, Any]:
    role = spec.role if agent.engine == "claude" else None
    return {
        "phase": number,
        "agent": agent.name,
        "engine": agent.engine,
        "source": spec.source,
        "tools": list(role.tools) if role is not None else [],
        "dropped_tools": list(spec.dropped_tools),
        "model": settings.model_for(agent.name, role.model) if role is not None else None,
        "retries": settings.retries_for(agent.name),
        "timeout_s": settings.timeout_for(agent.name),
        "status": agent.reason if isinstance(agent, Unavailable) else "ready",
        "description": spec.description if role is not None else agent.description,
    }


def _table(
    rows: list[dict[str, Any]],
    idle: list[dict[str, Any]],
    settings: Settings,
    source: str,
    where: str,
    notes: list[str],
) -> str:
    lines = [f"config: {source or 'defaults'} (read from the {where})"]
    lines += [f"note: {note}" for note in notes]
    lines += [f"stop_on: {settings.stop_on.value}", ""]
    header = ("phase", "agent", "engine", "tools", "retries", "timeout", "source")
    table = [header]
    for row in rows:
        tools = ", ".join(row["tools"]) or "-"
        if row["dropped_tools"]:
            tools += f" (dropped: {', '.join(row['dropped_tools'])})"
        engine = row["engine"] + ("" if row["status"] == "ready" else f", skipped: {row['status']}")
        table.append(
            (
                str(row["phase"]),
                row["agent"],
                engine,
                tools,
                str(row["retries"]),
                f"{row['timeout_s']:g}s",
                row["source"],
            )
        )
    widths = [max(len(cells[i]) for cells in table) for i in range(len(header))]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
        for cells in table
    ]
    if idle:
        lines += ["", "defined but not in the pipeline (name them in phases or --agents):"]
        lines += [f"  {item['agent']}  {item['source']}  {item['description']}" for item in idle]
    return "\n".join(lines) + "\n"
