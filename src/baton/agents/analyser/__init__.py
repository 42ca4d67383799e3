"""Analyser agents: external tools the trusted configuration names, and results imported from
earlier CI steps, read from their reports (SARIF, rdjson, rdjsonl, checkstyle)."""
