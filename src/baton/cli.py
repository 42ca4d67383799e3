"""The `baton` command: parse flags, build settings, run the review, print it, exit.

Everything it prints, and everything the run writes, passes the run's redactor
(`baton.redact`), set up here with the job's secret environment variables. This is the one
place that turns exceptions into exit codes: `UsageError` → 2, any other
`BatonError` → its code (3 for an incomplete review), an unexpected exception → 3 with one
line (the traceback only with `--debug`). A finished review exits with the gate's code.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from baton._version import __version__
from baton.agents.processes import become_subreaper, kill_descendants
from baton.errors import BatonError, ExitCode, UsageError
from baton.redact import Redactor, redact, redacting
from baton.settings import FailOn


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="baton", description="A review gate for pull and merge requests.")
    parser.add_argument("--version", action="version", version=f"baton {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    review = commands.add_parser("review", help="review a change and exit 0/1/2/3")
    what = review.add_argument_group("what to review")
    what.add_argument("--base", help="ref to compare with (default: origin/HEAD, origin/main, …)")
    what.add_argument("--head", help="ref under review (default: HEAD)")
    what.add_argument("--diff", metavar="FILE", help="review a unified diff file ('-': stdin)")
    what.add_argument("--repo", type=Path, help="checkout holding the files (default: cwd)")
    what.add_argument(
        "--shard",
        metavar="K/N",
        help="review share K of N of the changed files, write the reports, post nothing",
    )
    gate = review.add_argument_group("gate and agents")
    gate.add_argument("--fail-on", choices=[f.value for f in FailOn], help="default: critical")
    _pipeline_flags(gate)
    gate.add_argument("--stop-on", choices=[f.value for f in FailOn], help="default: critical")
    gate.add_argument("--retries", type=int, help="reruns of a failed agent (default: 2)")
    gate.add_argument("--timeout", type=float, help="seconds per agent (default: 300)")
    gate.add_argument("--min-diff-coverage", type=float, help="percent (default: 80)")
    gate.add_argument("--coverage-report", type=Path, help="Cobertura XML or LCOV file")
    gate.add_argument("--exclude", action="append", help="glob of paths not to review")
    gate.add_argument(
        "--import",
        dest="imports",
        action="append",
        metavar="FILE[:FORMAT]",
        help="review an earlier step's report (sarif, rdjson, rdjsonl, checkstyle) as an agent",
    )
    gate.add_argument(
        "--include-context-lines",
        action="store_true",
        default=None,
        help="also report findings on unchanged lines shown in the diff",
    )
    memory = review.add_argument_group("memory across pushes")
    memory.add_argument(
        "--full",
        action="store_true",
        default=None,
        help="model agents review the whole change, whatever earlier reviews did",
    )
    memory.add_argument(
        "--since", metavar="REF", help="model agents review only what changed since REF"
    )
    _report_flags(review)

    merge = commands.add_parser(
        "merge", help="combine the reports of --shard K/N runs into one review; exit 0/1/2/3"
    )
    merge.add_argument(
        "reports", nargs="*", type=Path, metavar="REPORT", help="shard reports, or folders of them"
    )
    merge.add_argument("--repo", type=Path, help="checkout of the change, in CI (default: cwd)")
    merge.add_argument("--config", type=Path, help="config file instead of the repository's")
    _report_flags(merge)

    agents = commands.add_parser(
        "agents", help="list the agents and phases a review would run, with their tools"
    )
    agents_what = agents.add_argument_group("what to review")
    agents_what.add_argument("--base", help="ref whose configuration applies (as for review)")
    agents_what.add_argument("--repo", type=Path, help="checkout (default: cwd)")
    _pipeline_flags(agents_what)
    agents.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    agents.add_argument("--debug", action="store_true", help="show tracebacks")

    commands.add_parser("schema", help="print the JSON Schema of the --json report")
    return parser


def _report_flags(command: argparse.ArgumentParser) -> None:
    out = command.add_argument_group("reports")
    out.add_argument("--json", dest="report_json", type=Path, help="write the JSON report")
    out.add_argument("--sarif", dest="report_sarif", type=Path, help="write SARIF 2.1.0")
    out.add_argument("--codequality", dest="report_codequality", type=Path, help="GitLab format")
    out.add_argument("--markdown", dest="report_markdown", type=Path, help="write the comment")
    command.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    command.add_argument("--debug", action="store_true", help="show tracebacks")


def _pipeline_flags(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--config", type=Path, help="config file instead of the repository's")
    group.add_argument(
        "--trust-head-config",
        action="store_true",
        default=None,
        help=(
            "read the repository's config from the working tree, not the base commit: the "
            "change then sets its own gate and the commands analysers run (never for "
            "changes from untrusted authors)"
        ),
    )
    group.add_argument("--agents", dest="only", help="run only these agents (comma-separated)")
    group.add_argument("--phases", help="agents per phase: 'security,quality;synthesizer'")


SETTING_FLAGS = (
    "base",
    "head",
    "diff",
    "repo",
    "fail_on",
    "only",
    "phases",
    "stop_on",
    "retries",
    "trust_head_config",
    "timeout",
    "min_diff_coverage",
    "coverage_report",
    "exclude",
    "imports",
    "include_context_lines",
    "full",
    "since",
    "shard",
    "report_json",
    "report_sarif",
    "report_codequality",
    "report_markdown",
)


def main(argv: Sequence[str] | None = None) -> int:
    become_subreaper()
    try:
        with redacting(Redactor.for_job(os.environ)):
            return _main(argv)
    finally:
        kill_descendants()  # whatever a tool left running in the background ends with baton


def _main(argv: Sequence[str] | None) -> int:
    debug = False
    try:
        args = build_parser().parse_args(argv)
        debug = bool(getattr(args, "debug", False))
        if args.command == "review":
            return _review(args)
        if args.command == "merge":
            return _merge(args)
        if args.command == "schema":
            return _schema()
        if args.command == "agents":
            return _agents(args)
        build_parser().print_help(sys.stderr)
        return int(ExitCode.USAGE)
    except BatonError as err:
        _say(f"error: {err}")
        return int(err.exit_code)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as err:  # the one place that catches everything
        if debug:
            print(redact(traceback.format_exc()), file=sys.stderr, end="")
        _say(f"internal error: {type(err).__name__}: {err} (rerun with --debug for details)")
        return int(ExitCode.INCOMPLETE)


def _review(args: argparse.Namespace) -> int:
    from baton.run import run_review  # noqa: PLC0415 - keeps `baton --help` fast

    progress = _silent if args.quiet else _say
    return run_review(_setting_values(args), config=args.config, progress=progress)


def _merge(args: argparse.Namespace) -> int:
    from baton.shards.command import run_merge  # noqa: PLC0415

    progress = _silent if args.quiet else _say
    paths = [path.absolute() for path in args.reports]
    return run_merge(paths, _setting_values(args), config=args.config, progress=progress)


def _agents(args: argparse.Namespace) -> int:
    from baton.agent_listing import list_agents  # noqa: PLC0415

    print(
        redact(list_agents(_setting_values(args), config=args.config, as_json=args.as_json)), end=""
    )
    return 0


def _setting_values(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(args, name, None) for name in SETTING_FLAGS}
    for name, value in values.items():
        if isinstance(value, Path):  # flags are relative to where the user typed them
            values[name] = value.absolute()
    return values


def _schema() -> int:
    import json  # noqa: PLC0415

    from baton.report import Review  # noqa: PLC0415

    print(json.dumps(Review.model_json_schema(), indent=2))
    return 0


def _silent(line: str) -> None:
    del line


def _say(line: str) -> None:
    print(redact(f"baton: {line}"), file=sys.stderr, flush=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
