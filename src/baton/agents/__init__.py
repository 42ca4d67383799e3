"""The review agents baton knows, by name. Adding an agent = one module + one line here."""

from __future__ import annotations

from baton.agents.base import Agent, AgentContext, AgentOutput, AgentResult, AgentStatus
from baton.agents.builtin.coverage import CoverageAgent
from baton.agents.builtin.dependencies.agent import DependenciesAgent
from baton.agents.builtin.dockerfile import DockerfileAgent
from baton.agents.builtin.quality import QualityAgent
from baton.agents.builtin.security import SecurityAgent
from baton.agents.builtin.shell import ShellAgent
from baton.agents.builtin.workflows import WorkflowsAgent

REGISTRY: dict[str, Agent] = {
    agent.name: agent
    for agent in (
        SecurityAgent(),
        QualityAgent(),
        CoverageAgent(),
        WorkflowsAgent(),
        ShellAgent(),
        DockerfileAgent(),
        DependenciesAgent(),
    )
}

__all__ = ["REGISTRY", "Agent", "AgentContext", "AgentOutput", "AgentResult", "AgentStatus"]
