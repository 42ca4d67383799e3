"""scripts/release.py, run for real against git repositories built in temporary directories.

Each repository starts from the project's own CHANGELOG.md, action.yml, GitLab components
(templates/*.yml) and GitLab template, so the tests follow the real files. Distributions are
small hand-made wheel and sdist archives with the metadata a build backend writes; no backend
runs.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "release.py"
IMAGE = "ghcr.io/baton-review/baton"
REPO_URL = "https://github.com/baton-review/baton"
COMPONENTS = tuple(sorted(f"templates/{p.name}" for p in (ROOT / "templates").glob("*.yml")))
COPIED = ("CHANGELOG.md", "action.yml", *COMPONENTS, "gitlab-template.yml")
COMPONENT_PIN = r"      default: ['\"]?{image}:{v}['\"]?"
PINNED = {  # file -> the pinned line's text for version {v}, as a regular expression
    "action.yml": r"  image: ['\"]?docker://{image}:{v}['\"]?",
    **dict.fromkeys(COMPONENTS, COMPONENT_PIN),
    "gitlab-template.yml": r"  BATON_IMAGE: ['\"]?{image}:{v}['\"]?",
}
DATE = "2026-01-02"
ENV = {  # a fixed identity and no git setting of the machine (or of an enclosing git command)
    **{key: value for key, value in os.environ.items() if not key.startswith("GIT_")},
    "GIT_AUTHOR_NAME": "Release Test",
    "GIT_AUTHOR_EMAIL": "release@example.invalid",
    "GIT_COMMITTER_NAME": "Release Test",
    "GIT_COMMITTER_EMAIL": "release@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> str:
    """git's output, its line ends untouched."""
    done = subprocess.run(["git", *args], cwd=repo, env=ENV, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def release(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def pinned_line(rel: str, version: str) -> re.Pattern[str]:
    pattern = PINNED[rel].format(image=re.escape(IMAGE), v=re.escape(version))
    return re.compile(rf"^{pattern}$", re.MULTILINE)


def unreleased_body() -> str:
    """The project's [Unreleased] body: what `prepare` moves and `notes` prints."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    start = text.index("## [Unreleased]\n") + len("## [Unreleased]\n")
    return text[start : text.index("\n[Unreleased]:")].strip() + "\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on `main` holding copies of the project's release files."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "config", "core.autocrlf", "false")
    for rel in COPIED:
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, path / rel)
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "--message", "Initial")
    return path


def prepare(repo: Path, version: str) -> None:
    done = release("prepare", version, "--date", DATE, "--root", str(repo))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == f"git push origin main v{version}\n"


@pytest.fixture
def released(repo: Path) -> Path:
    """`repo` after `prepare 1.0.0`, checked out at the tag as the release workflow does."""
    prepare(repo, "1.0.0")
    git(repo, "checkout", "--quiet", "v1.0.0")
    return repo


def write_dist(
    directory: Path,
    version: str,
    meta_version: str | None = None,
    *,
    sdist: bool = True,
    wheel: bool = True,
) -> None:
    """An sdist and a pure wheel of VERSION whose metadata says META_VERSION."""
    directory.mkdir(exist_ok=True)
    meta = f"Metadata-Version: 2.4\nName: baton-review\nVersion: {meta_version or version}\n"
    meta += "Requires-Python: >=3.11\n\nA review gate.\n"
    if wheel:
        info = f"baton_review-{version}.dist-info"
        with zipfile.ZipFile(directory / f"baton_review-{version}-py3-none-any.whl", "w") as zf:
            zf.writestr("baton/__init__.py", "")
            zf.writestr(f"{info}/METADATA", meta)
            zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
    if sdist:
        with tarfile.open(directory / f"baton_review-{version}.tar.gz", "w:gz") as tf:
            for name, text in (("PKG-INFO", meta), ("pyproject.toml", "[project]\n")):
                data = text.encode()
                member = tarfile.TarInfo(f"baton_review-{version}/{name}")
                member.size = len(data)
                tf.addfile(member, io.BytesIO(data))


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    """Rewrite REL (OLD, a regular expression, once), commit it and move the tag onto it."""

    def apply(repo: Path) -> None:
        text = (repo / rel).read_text(encoding="utf-8")
        changed = re.sub(old, new, text, count=1, flags=re.MULTILINE)
        assert changed != text, f"{old!r} not found in {rel}"
        (repo / rel).write_text(changed, encoding="utf-8")
        retag(repo)

    return apply


def retag(repo: Path) -> None:
    """Commit every edit and move the release tag onto that commit."""
    git(repo, "commit", "--quiet", "--all", "--message", "Edit")
    git(repo, "tag", "--force", "--annotate", "--message", "Release 1.0.0", "v1.0.0")


def empty_section(repo: Path) -> None:
    """The 1.0.0 section keeps its heading and a subheading, and loses its items."""
    changelog = repo / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    heading = f"## [1.0.0] - {DATE}\n"
    head, links = text[: text.index(heading) + len(heading)], text[text.index("\n[Unreleased]:") :]
    changelog.write_text(f"{head}\n### Added\n{links}", encoding="utf-8")
    retag(repo)


def dirty(repo: Path) -> None:
    with (repo / "action.yml").open("a", encoding="utf-8") as handle:
        handle.write("# an edit nobody committed\n")


def on_main(repo: Path) -> None:
    git(repo, "checkout", "--quiet", "main")


def dist(*builds: tuple[str, str | None, bool, bool], extra: str = "") -> Callable[[Path], None]:
    """Write `write_dist(DIR, version, meta_version, sdist=, wheel=)` for each of BUILDS into
    the dist folder beside the repository, and a file named EXTRA."""

    def apply(repo: Path) -> None:
        for version, meta_version, sdist, wheel in builds:
            write_dist(repo.parent / "dist", version, meta_version, sdist=sdist, wheel=wheel)
        if extra:
            (repo.parent / "dist" / extra).write_text("x")

    return apply


def dirty_on_main(repo: Path) -> None:
    on_main(repo)
    dirty(repo)


class Case(NamedTuple):
    args: tuple[str, ...]  # "{repo}" and "{dist}" stand for the repository and dist folder
    setup: Callable[[Path], None] | None
    code: int
    words: tuple[str, ...]


CHECK = ("check", "--root", "{repo}", "--tag")
DIST = ("dist", "{dist}", "--version")
PREPARE = ("prepare", "--root", "{repo}", "--date", DATE)
OTHER = r"\g<1>0.9.0"
BAD = [
    pytest.param(Case((*CHECK, "v1.2"), None, 1, ("'v1.2'", "vMAJOR.MINOR.PATCH")), id="tag-v1.2"),
    pytest.param(Case((*CHECK, "1.2.3"), None, 1, ("'1.2.3'", "vMAJOR")), id="tag-without-v"),
    pytest.param(Case((*CHECK, "v1.0.0-nightly"), None, 1, ("PEP 440",)), id="tag-odd-prerelease"),
    pytest.param(Case((*CHECK, "v2.0.0"), None, 1, ("v2.0.0", "does not exist")), id="tag-missing"),
    pytest.param(
        Case((*CHECK, "v1.0.0"), on_main, 1, ("v1.0.0", "not at HEAD")), id="tag-not-head"
    ),
    pytest.param(Case((*CHECK, "v1.0.0"), dirty, 1, ("not clean", "action.yml")), id="dirty-file"),
    pytest.param(
        Case(
            (*CHECK, "v1.0.0"),
            edit("CHANGELOG.md", r"^## \[1\.0\.0\]", "## [0.9.0]"),
            1,
            ("CHANGELOG.md", "no section", "## [1.0.0] - YYYY-MM-DD"),
        ),
        id="changelog-no-entry",
    ),
    pytest.param(
        Case(
            (*CHECK, "v1.0.0"),
            edit("CHANGELOG.md", r"^(## \[1\.0\.0\]) - .*$", r"\1"),
            1,
            ("CHANGELOG.md", "[1.0.0]", "no date"),
        ),
        id="changelog-no-date",
    ),
    pytest.param(
        Case((*CHECK, "v1.0.0"), empty_section, 1, ("CHANGELOG.md", "[1.0.0]", "empty")),
        id="changelog-empty-body",
    ),
    pytest.param(
        Case(
            (*CHECK, "v1.0.0"),
            edit("action.yml", rf"^(  image: )docker://{IMAGE}:1\.0\.0$", r"\1Dockerfile"),
            1,
            ("action.yml", "runs.image", "'Dockerfile'", f"'docker://{IMAGE}:1.0.0'"),
        ),
        id="action-still-dockerfile",
    ),
    pytest.param(
        Case(
            (*CHECK, "v1.0.0"),
            edit("action.yml", rf"^(  image: docker://{IMAGE}:)1\.0\.0$", OTHER),
            1,
            ("action.yml", f"{IMAGE}:0.9.0", f"docker://{IMAGE}:1.0.0"),
        ),
        id="action-other-version",
    ),
    pytest.param(
        Case(
            (*CHECK, "v1.0.0"),
            edit("action.yml", r"^  image: (docker://)", r"  img: \1"),
            1,
            ("action.yml", "no runs.image"),
        ),
        id="action-no-image",
    ),
    pytest.param(
        Case(
            (*CHECK, "v1.0.0"),
            edit("templates/review.yml", rf"^(\s+default: ['\"]?{IMAGE}:)1\.0\.0", OTHER),
            1,
            ("templates/review.yml", "spec.inputs.image.default", f"{IMAGE}:0.9.0"),
        ),
        id="component-other-version",
    ),
    pytest.param(
        Case(
            (*CHECK, "v1.0.0"),
            edit("templates/merge.yml", rf"^(\s+default: ['\"]?{IMAGE}:)1\.0\.0", OTHER),
            1,
            ("templates/merge.yml", "spec.inputs.image.default", f"{IMAGE}:0.9.0"),
        ),
        id="merge-component-other-version",
    ),
    pytest.param(
        Case(
            (*CHECK, "v1.0.0"),
            edit("gitlab-template.yml", rf"^(\s+BATON_IMAGE: ['\"]?{IMAGE}:)1\.0\.0", OTHER),
            1,
            ("gitlab-template.yml", "variables.BATON_IMAGE", f"{IMAGE}:0.9.0"),
        ),
        id="template-other-version",
    ),
    pytest.param(
        Case(
            (*DIST, "1.0.0"),
            dist(("1.0.0", None, True, False), ("0.9.0", None, False, True)),
            1,
            ("wheel", "baton_review-0.9.0-py3-none-any.whl", "baton_review-1.0.0-py3-none-any.whl"),
        ),
        id="dist-wheel-other-version",
    ),
    pytest.param(
        Case(
            (*DIST, "1.0.0"),
            dist(("1.0.1.dev3+g1234567", None, True, True)),
            1,
            ("baton_review-1.0.1.dev3+g1234567", "development or local", "baton_review-1.0.0"),
        ),
        id="dist-dev-local-version",
    ),
    pytest.param(
        Case((*DIST, "1.0.1.dev3"), dist(("1.0.0", None, True, True)), 1, ("development",)),
        id="dist-asked-for-dev-version",
    ),
    pytest.param(
        Case(
            (*DIST, "1.0.0"),
            dist(("1.0.0", None, False, True)),
            1,
            ("no sdist", "baton_review-1.0.0.tar.gz"),
        ),
        id="dist-missing-sdist",
    ),
    pytest.param(
        Case(
            (*DIST, "1.0.0"),
            dist(("1.0.0", "0.9.0", True, True)),
            1,
            ("baton_review-1.0.0", "'0.9.0'", "not 1.0.0"),
        ),
        id="dist-metadata-other-version",
    ),
    pytest.param(
        Case(
            (*DIST, "1.0.0"),
            dist(("1.0.0", None, True, True), extra="notes.txt"),
            1,
            ("notes.txt", "besides"),
        ),
        id="dist-extra-file",
    ),
    pytest.param(
        Case((*DIST, "1.0.0"), None, 1, ("dist", "not a directory")), id="dist-no-directory"
    ),
    pytest.param(
        Case(("notes", "--root", "{repo}", "9.9.9"), None, 1, ("no section", "[9.9.9]")),
        id="notes-missing-version",
    ),
    pytest.param(
        Case((*PREPARE, "1.0.0"), on_main, 1, ("v1.0.0", "already exists")),
        id="prepare-tag-exists",
    ),
    pytest.param(
        Case((*PREPARE, "1.1.0"), on_main, 1, ("[Unreleased]", "empty")),
        id="prepare-nothing-unreleased",
    ),
    pytest.param(Case((*PREPARE, "1.1.0"), None, 1, ("detached",)), id="prepare-detached"),
    pytest.param(
        Case((*PREPARE, "1.1.0"), dirty_on_main, 1, ("not clean", "action.yml")),
        id="prepare-dirty",
    ),
    pytest.param(Case((*PREPARE, "1.1"), None, 1, ("'1.1'", "MAJOR")), id="prepare-bad-version"),
    pytest.param(
        Case(("prepare", "--root", "{repo}", "--date", "2.1.2026", "1.1.0"), None, 1, ("date",)),
        id="prepare-bad-date",
    ),
    pytest.param(Case((), None, 2, ("required",)), id="usage-no-command"),
    pytest.param(Case(("check", "--root", "{repo}"), None, 2, ("--tag",)), id="usage-no-tag"),
    pytest.param(Case(("notes", "--bogus", "1.0.0"), None, 2, ("--bogus",)), id="usage-unknown"),
]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_and_an_exit_code(released: Path, case: Case) -> None:
    if case.setup is not None:
        case.setup(released)
    args = [arg.format(repo=released, dist=released.parent / "dist") for arg in case.args]
    done = release(*args)
    assert done.returncode == case.code, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("release: ")
    for word in case.words:
        assert word in lines[0]


def test_prepare_then_check_on_the_tag(released: Path) -> None:
    done = release("check", "--tag", "v1.0.0", "--root", str(released))
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("version=1.0.0\npep440=1.0.0\n", "")
    log = git(released, "log", "--format=%s", "main").splitlines()
    assert log == ["Development after 1.0.0", "Release 1.0.0", "Initial"]
    assert git(released, "cat-file", "-t", "v1.0.0").strip() == "tag"  # annotated
    assert git(released, "rev-parse", "v1.0.0^{commit}") == git(released, "rev-parse", "main~1")


def test_release_commit_changes_only_the_pinned_lines(released: Path) -> None:
    for rel in PINNED:
        before = (ROOT / rel).read_text(encoding="utf-8").splitlines()
        after = git(released, "show", f"v1.0.0:{rel}").splitlines()
        assert pinned_line(rel, "1.0.0").search("\n".join(after)), rel
        assert len(after) == len(before)
        changed = [n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert len(changed) <= 1, (rel, changed)


def test_commit_after_the_tag_builds_from_the_dockerfile(released: Path) -> None:
    tagged = git(released, "show", "v1.0.0:action.yml").splitlines()
    main = git(released, "show", "main:action.yml").splitlines()
    changed = [n for n, (a, b) in enumerate(zip(tagged, main, strict=True)) if a != b]
    assert [main[n] for n in changed] == ["  image: Dockerfile"]
    for rel in (*COMPONENTS, "gitlab-template.yml"):
        assert git(released, "show", f"main:{rel}") == git(released, "show", f"v1.0.0:{rel}")
    assert git(released, "diff", "--name-only", "v1.0.0", "main").split() == ["action.yml"]


def test_notes_print_the_moved_unreleased_text(released: Path) -> None:
    done = release("notes", "1.0.0", "--root", str(released))
    assert done.returncode == 0, done.stderr
    assert done.stdout == unreleased_body()
    changelog = (released / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [Unreleased]\n\n## [1.0.0] - {DATE}\n\n### Added\n" in changelog
    assert changelog.endswith(
        f"[Unreleased]: {REPO_URL}/compare/v1.0.0...HEAD\n[1.0.0]: {REPO_URL}/releases/tag/v1.0.0\n"
    )


def test_second_release_compares_with_the_first(released: Path) -> None:
    on_main(released)
    changelog = released / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(
        text.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n\n- A fix.\n", 1),
        encoding="utf-8",
    )
    git(released, "commit", "--quiet", "--all", "--message", "A fix")
    prepare(released, "1.1.0")
    git(released, "checkout", "--quiet", "v1.1.0")
    done = release("check", "--tag", "v1.1.0", "--root", str(released))
    assert (done.returncode, done.stdout) == (0, "version=1.1.0\npep440=1.1.0\n"), done.stderr
    for rel in PINNED:
        assert pinned_line(rel, "1.1.0").search((released / rel).read_text(encoding="utf-8"))
    text = changelog.read_text(encoding="utf-8")
    assert f"## [1.1.0] - {DATE}\n\n### Fixed\n\n- A fix.\n\n## [1.0.0] - {DATE}\n" in text
    assert text.endswith(
        f"[Unreleased]: {REPO_URL}/compare/v1.1.0...HEAD\n"
        f"[1.1.0]: {REPO_URL}/compare/v1.0.0...v1.1.0\n"
        f"[1.0.0]: {REPO_URL}/releases/tag/v1.0.0\n"
    )
    notes = release("notes", "1.1.0", "--root", str(released))
    assert notes.stdout == "### Fixed\n\n- A fix.\n"


def test_pins_keep_quotes_comments_and_line_ends(repo: Path) -> None:
    action = repo / "action.yml"
    text = action.read_bytes().decode()
    assert "\n  image: Dockerfile\n" in text, "the real action.yml builds from the Dockerfile"
    quoted = text.replace("\n  image: Dockerfile\n", "\n  image: 'Dockerfile'   # source\r\n")
    action.write_bytes(quoted.encode())
    git(repo, "commit", "--quiet", "--all", "--message", "Quoted")
    prepare(repo, "1.0.0")
    pinned = git(repo, "cat-file", "blob", "v1.0.0:action.yml")
    line = f"\n  image: 'docker://{IMAGE}:1.0.0'   # source\r\n"
    assert pinned == quoted.replace("\n  image: 'Dockerfile'   # source\r\n", line)
    assert (repo / "action.yml").read_bytes().decode() == quoted
    git(repo, "checkout", "--quiet", "v1.0.0")
    assert release("check", "--tag", "v1.0.0", "--root", str(repo)).returncode == 0


def test_prerelease_tag_maps_to_pep440(repo: Path) -> None:
    prepare(repo, "1.0.0-rc.1")
    git(repo, "checkout", "--quiet", "v1.0.0-rc.1")
    done = release("check", "--tag", "v1.0.0-rc.1", "--root", str(repo))
    assert (done.returncode, done.stdout) == (0, "version=1.0.0-rc.1\npep440=1.0.0rc1\n")
    write_dist(repo.parent / "dist", "1.0.0rc1")
    for version in ("1.0.0-rc.1", "1.0.0rc1"):
        done = release("dist", str(repo.parent / "dist"), "--version", version)
        assert (done.returncode, done.stderr) == (0, "")


def test_dist_passes_on_the_sdist_and_the_wheel(tmp_path: Path) -> None:
    write_dist(tmp_path / "dist", "1.0.0")
    (tmp_path / "dist" / ".gitignore").write_text("*\n")  # what some front ends leave there
    done = release("dist", str(tmp_path / "dist"), "--version", "1.0.0")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_default_root_is_the_repository_holding_the_script(tmp_path: Path) -> None:
    done = release("notes", "9.9.9", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "release: CHANGELOG.md has no section '## [9.9.9]'\n"


def test_the_project_has_both_gitlab_components() -> None:
    assert COMPONENTS == ("templates/merge.yml", "templates/review.yml")


def test_a_component_added_under_templates_is_pinned_and_checked(repo: Path) -> None:
    added = "templates/added.yml"
    shutil.copyfile(repo / "templates" / "merge.yml", repo / added)
    git(repo, "add", added)
    git(repo, "commit", "--quiet", "--message", "Another component")
    prepare(repo, "1.0.0")
    assert pinned_line("templates/review.yml", "1.0.0").search(git(repo, "show", f"v1.0.0:{added}"))
    git(repo, "checkout", "--quiet", "v1.0.0")
    edit(added, rf"^(\s+default: ['\"]?{IMAGE}:)1\.0\.0", OTHER)(repo)

    done = release("check", "--tag", "v1.0.0", "--root", str(repo))

    assert done.returncode == 1
    assert done.stderr == (
        f"release: {added} spec.inputs.image.default is '{IMAGE}:0.9.0', expected '{IMAGE}:1.0.0'\n"
    )


def test_a_component_without_an_image_input_stops_the_release(repo: Path) -> None:
    (repo / "templates" / "bare.yml").write_text(
        "spec:\n  inputs:\n    stage:\n      default: test\n---\njob:\n  script: [true]\n"
    )
    git(repo, "add", "templates/bare.yml")
    git(repo, "commit", "--quiet", "--message", "A component without an image")

    done = release("prepare", "1.0.0", "--date", DATE, "--root", str(repo))

    assert done.returncode == 1
    assert done.stderr == "release: templates/bare.yml has no spec.inputs.image.default line\n"
    assert git(repo, "tag", "--list") == ""


def test_a_commit_without_components_stops_the_release(repo: Path) -> None:
    git(repo, "rm", "--quiet", "-r", "templates")
    git(repo, "commit", "--quiet", "--message", "No components")

    done = release("prepare", "1.0.0", "--date", DATE, "--root", str(repo))

    assert (done.returncode, done.stderr) == (
        1,
        "release: templates/ holds no GitLab component (templates/*.yml)\n",
    )
