"""Claude Code reviewers: one `ClaudeAgent` per role, each session one `claude` process."""
