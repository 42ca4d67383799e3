"""Claude Code reviewers: one `ClaudeAgent` per role, run through claude-agent-sdk."""
