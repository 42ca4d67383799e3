"""An experiment on how many processes the security agent starts, run with `--variants`.

The security agent runs bandit and detect-secrets at once, each through
`ToolRunner.run_batched`, so each starts up to `parallelism` processes. detect-secrets
also starts its own `multiprocessing` pool of one worker per CPU in every process (its
`--cores` option), so on N cores the agent runs N bandit processes plus N times N
detect-secrets workers. Each variant runs both tools at once as the agent does (with the
variant's process counts) and is timed like the agents (`bench.fanout`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from baton.agents.builtin import bandit
from baton.agents.builtin.common import is_python, load_json
from baton.agents.tools import ToolRunner, tool_group
from baton.change.model import ChangedFile
from bench.fanout import Timed, measure


@dataclass(frozen=True)
class Variant:
    """How the two tools are run: process counts and detect-secrets' arguments."""

    name: str
    secrets_parallelism: int | None
    secrets_args: tuple[str, ...] = ("scan",)
    bandit_min_files: int | None = None
    """Start another bandit process only for this many more files (None: as shipped)."""

    def bandit_parallelism(self, files: int, shipped: int) -> int:
        if self.bandit_min_files is None:
            return shipped
        return max(1, min(shipped, files // self.bandit_min_files))


VARIANTS = (
    Variant("as shipped: both tools in N batches, pool of N per detect-secrets", None),
    Variant("detect-secrets in one process (pool of N)", 1),
    Variant("detect-secrets in N batches with --cores 1", None, ("--cores", "1", "scan")),
    Variant("one detect-secrets process; a bandit process per 200 files", 1, bandit_min_files=200),
)


@dataclass
class VariantResult:
    variant: Variant
    secrets_alone: Timed
    security: Timed
    secrets_found: int


def time_variants(
    root: Path, files: Sequence[ChangedFile], overrides: dict[str, str], repeat: int
) -> list[VariantResult]:
    """Each variant: detect-secrets alone, and with bandit beside it as in the agent."""
    python = [f.path for f in files if is_python(f)]
    every = [f.path for f in files]
    shipped = ToolRunner(overrides)
    results = [VariantResult(v, Timed(), Timed(), 0) for v in VARIANTS]
    for _ in range(repeat):
        for result in results:
            variant = result.variant
            runner = ToolRunner(overrides, parallelism=variant.secrets_parallelism)
            code = ToolRunner(
                overrides, parallelism=variant.bandit_parallelism(len(python), shipped.parallelism)
            )

            async def secrets_only(runner: ToolRunner = runner, v: Variant = variant) -> int:
                return await _detect_secrets(runner, root, every, v.secrets_args)

            async def both(
                runner: ToolRunner = runner, code: ToolRunner = code, v: Variant = variant
            ) -> int:
                async with tool_group() as group:
                    group.create_task(bandit.scan(code, root, python, "security"))
                    found = group.create_task(_detect_secrets(runner, root, every, v.secrets_args))
                return found.result()

            result.secrets_found, *seconds = measure(secrets_only)
            result.secrets_alone.add(*seconds)
            _, *seconds = measure(both)
            result.security.add(*seconds)
    return results


async def _detect_secrets(
    runner: ToolRunner, root: Path, files: Sequence[str], args: Sequence[str]
) -> int:
    """How many secrets detect-secrets reports, run with `args`."""
    outputs = await runner.run_batched("detect-secrets", args, files, cwd=root)
    found = 0
    for output in outputs:
        data = load_json("detect-secrets", output.stdout)
        found += sum(len(items) for items in data["results"].values())
    return found
