"""The dockerfile agent with the real hadolint on Dockerfiles a pull request could add."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.agents.builtin.dockerfile import DockerfileAgent, is_dockerfile, severity_for
from baton.change.model import ChangedFile, FileStatus
from baton.findings.model import Severity
from baton.settings import Settings
from tests.agents.builtin.agent_harness import new_file, run_agent
from tests.agents.builtin.ci_support import (
    marker_notes,
    new_file_git_lines,
    rows,
)
from tests.fakes.baton_cli import review_report
from tests.fakes.repos import GitRepo

HIGH, MEDIUM, LOW, INFO = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO

APT = """\
FROM debian:12.5
RUN apt-get update && apt-get install -y curl
"""

NO_USER = ("BTN801", MEDIUM, None)
"""baton's own rule beside hadolint: no USER, so the container runs as root (whole file)."""
APT_ROWS = {("DL3008", LOW, 2), ("DL3015", INFO, 2), ("DL3009", INFO, 2), NO_USER}

IMAGE = """\
FROM python:3.12-slim
WORKDIR /app
ADD https://example.com/tool.tar.gz /opt/
ADD app.py /app/
RUN curl -fsSL https://example.com/install.sh | sh
RUN cd /opt && ./configure $FLAGS
USER root
"""


def review(tmp_path: Path, files: dict[str, str], **kwargs: object):
    root = tmp_path / "repo"
    changed = [new_file(root, path, text) for path, text in files.items()]
    return run_agent(DockerfileAgent(), root, changed, **kwargs)  # type: ignore[arg-type]


def test_apt_get_install_without_pins(tmp_path: Path) -> None:
    output = review(tmp_path, {"Dockerfile": APT})

    assert rows(output) == APT_ROWS
    [pin] = [f for f in output.findings if f.rule_id == "DL3008"]
    assert pin.rule_url == "https://github.com/hadolint/hadolint/wiki/DL3008"
    assert pin.title.startswith("Pin versions in apt get install")
    assert output.summary == "hadolint (baton's defaults) on 1 file"


def test_what_an_image_build_gets_flagged_for(tmp_path: Path) -> None:
    output = review(tmp_path, {"docker/api.Dockerfile": IMAGE})

    assert rows(output) == {
        ("DL3020", MEDIUM, 4),  # ADD of a local file: an error in hadolint
        ("DL4006", LOW, 5),  # a pipe (curl | sh) without pipefail
        ("DL3003", LOW, 6),  # cd instead of WORKDIR
        ("SC2086", LOW, 6),  # the shellcheck rule hadolint runs on RUN, as in `shell`
        ("DL3002", MEDIUM, 7),  # the container runs as root
        ("DL3066", INFO, 7),
        ("BTN802", MEDIUM, 3),  # baton's own: hadolint has no rule for `ADD https://…`
        ("BTN701", MEDIUM, 5),  # baton's own: a download run unchecked, beside DL4006
    }
    [sc] = [f for f in output.findings if f.rule_id == "SC2086"]
    assert sc.rule_url == "https://www.shellcheck.net/wiki/SC2086"


def test_a_dockerfile_that_does_not_parse_is_high(tmp_path: Path) -> None:
    output = review(tmp_path, {"Containerfile": "FROM alpine:3.20\nCOPY --frm=a b c\n"})

    assert rows(output) == {("DL1000", HIGH, 2), NO_USER}
    assert "invalid flag: --frm" in output.findings[0].message


def test_the_severity_map() -> None:
    assert severity_for("DL3020", "error") is MEDIUM
    assert severity_for("DL3008", "warning") is LOW
    assert severity_for("DL3009", "info") is INFO
    assert severity_for("DL3048", "style") is INFO
    assert severity_for("DL1000", "error") is HIGH
    assert severity_for("DL3002", "warning") is MEDIUM
    assert severity_for("SC1009", "error") is HIGH
    assert severity_for("SC2046", "warning") is MEDIUM
    assert severity_for("SC2086", "info") is LOW
    assert severity_for("SC2006", "style") is INFO


@pytest.mark.parametrize(
    ("path", "accepted"),
    [
        ("Dockerfile", True),
        ("services/api/Dockerfile", True),
        ("Dockerfile.prod", True),
        ("build/api.Dockerfile", True),
        ("build/api.dockerfile", True),
        ("Containerfile", True),
        ("Containerfile.dev", True),
        ("Dockerfile.dockerignore", False),
        (".dockerignore", False),
        ("docs/Dockerfile.md", False),
        ("docker-compose.yml", False),
        ("MyDockerfile", False),
    ],
)
def test_which_files_are_accepted(path: str, accepted: bool) -> None:
    file = ChangedFile(path=path, status=FileStatus.ADDED)
    assert DockerfileAgent().accepts(file) == (None if accepted else "not a Dockerfile")
    assert is_dockerfile(path) is accepted


def test_a_trusted_hadolint_config_is_used(tmp_path: Path) -> None:
    trusted = {".hadolint.yaml": "ignored:\n  - DL3015\noverride:\n  error:\n    - DL3008\n"}
    output = review(tmp_path, {"Dockerfile": APT}, tool_configs=trusted)

    assert rows(output) == {("DL3008", MEDIUM, 2), ("DL3009", INFO, 2), NO_USER}
    assert output.summary == "hadolint (repository hadolint config) on 1 file"


def test_line_numbers_are_gits_with_cr_only_line_ends(tmp_path: Path) -> None:
    """hadolint, like git, ends lines at LF only: a bare CR is text in a label."""
    text = 'FROM debian:12.5\nLABEL note="a\rb\rc"\nRUN cd /opt\n'
    root = tmp_path / "repo"
    file = new_file_git_lines(root, "Dockerfile", text)

    output = run_agent(DockerfileAgent(), root, [file])

    assert rows(output) == {("DL3003", LOW, 3), ("SC2164", MEDIUM, 3), NO_USER}
    assert file.lines[3] == "RUN cd /opt"


# Hostile changes


@pytest.mark.parametrize(
    "name", ["-rf.Dockerfile", "--help.Dockerfile", "--config=x.dockerfile", "Dockerfile.-V"]
)
def test_file_names_that_look_like_options_are_files(tmp_path: Path, name: str) -> None:
    output = review(tmp_path, {name: APT})

    assert rows(output, name) == APT_ROWS


@pytest.mark.parametrize(
    "where", [".hadolint.yaml", ".hadolint.yml", "docker/.hadolint.yaml", ".config/hadolint.yaml"]
)
def test_a_hadolint_config_the_change_adds_is_never_read(tmp_path: Path, where: str) -> None:
    silence = "ignored: [DL3008, DL3009, DL3015, DL3002, DL3003, DL4006, SC2086, DL3020]\n"
    output = review(tmp_path, {where: silence, "Dockerfile": APT, "docker/Dockerfile": APT})

    assert rows(output, "Dockerfile") == APT_ROWS
    assert rows(output, "docker/Dockerfile") == APT_ROWS


@pytest.mark.parametrize(
    "pragma",
    ["# hadolint ignore=DL3008,DL3015,DL3009", "# hadolint global ignore=DL3008,DL3015,DL3009"],
)
def test_an_ignore_pragma_is_not_honoured_and_is_noted(tmp_path: Path, pragma: str) -> None:
    text = APT.replace("RUN", f"{pragma}\nRUN")
    root = tmp_path / "repo"
    file = new_file(root, "Dockerfile", text)

    output = run_agent(DockerfileAgent(), root, [file])
    honour = Settings(honor_tool_suppressions=True)
    honoured = run_agent(DockerfileAgent(), root, [file], settings=honour)

    assert rows(output) == {("DL3008", LOW, 3), ("DL3015", INFO, 3), ("DL3009", INFO, 3), NO_USER}
    assert marker_notes([file]) == [
        ("Dockerfile", 2, "tool suppression not honoured: `# hadolint ignore` (hadolint)")
    ]
    assert rows(honoured) == {NO_USER}  # a hadolint pragma silences hadolint only


def test_a_5_mb_dockerfile_completes_and_is_listed_as_too_large(tmp_path: Path) -> None:
    big = "FROM debian:12.5\n" + "RUN echo $HOME\n" * (5 * 1024 * 1024 // 15)
    output = review(tmp_path, {"Dockerfile.huge": big, "Dockerfile": APT})

    assert {f.path for f in output.findings} == {"Dockerfile"}
    assert [s.path for s in output.skipped] == ["Dockerfile.huge"]
    assert output.skipped[0].reason.startswith("hadolint: too large (")


def test_the_base_commits_hadolint_config_applies_and_the_heads_does_not(
    repo: GitRepo,
) -> None:
    """Through `baton review`: the base's `.hadolint.yaml` ignores DL3008; the change's own
    edit of it (ignoring DL3007 too) applies only after merge."""
    dockerfile = "FROM debian:latest\nRUN apt-get update && apt-get install -y curl\n"
    repo.pull_request(
        {".hadolint.yaml": "ignored:\n  - DL3008\n"},
        {".hadolint.yaml": "ignored:\n  - DL3008\n  - DL3007\n", "Dockerfile": dockerfile},
    )
    done, report = review_report(repo.path, "--agents", "dockerfile")
    rules = {f["rule_id"] for f in report["findings"] if f["agent"] == "dockerfile"}
    assert "DL3007" in rules, done.stderr  # `latest`: the head's ignore does not count
    assert "DL3008" not in rules  # unpinned apt packages: the base ignores them
    assert ".hadolint.yaml" in " ".join(report["notes"])
