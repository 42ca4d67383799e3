"""Rules of baton's own that report a problem a bandit rule reports too, so that the two
findings on one line merge into one (`findings.merge.rule_family`).

The security agent's Python rules (`agents/builtin/patterns`) sit beside bandit: each id
here names the bandit rule (or ruff's `S` twin) about the same weakness. `B105` stands for
the hard-coded-secret family, which detect-secrets may report on the line of a literal key.
"""

from __future__ import annotations

BANDIT_EQUIVALENTS = {
    "BTN104": "B323",
    "BTN106": "B501",
    "BTN201": "B506",
    "BTN211": "B301",
    "BTN212": "B614",
    "BTN301": "B105",
    "BTN303": "B105",
    "BTN401": "B202",
    "BTN402": "B202",
    "BTN404": "B202",
    "BTN503": "B605",
    "BTN504": "B608",
    "BTN601": "B324",
}
"""Our rule → the bandit rule (ruff `S…`) about the same problem. A project that selects
ruff's `S` rules may get both on one line (ruff also sees `from yaml import load`,
`requests.request(verify=False)`, `from tarfile import open`); B105 stands for the
hard-coded-secret family, which detect-secrets may report on the line of a literal key; B605
(a process started with a shell) for shell commands, B608 for SQL built from strings."""
