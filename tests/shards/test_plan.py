"""Which files a shard reviews: every file once, balanced by changed lines, the same on every
rerun, and `K/N` read strictly."""

from __future__ import annotations

import random

import pytest

from baton.change.model import ChangedFile, ChangeSet, FileStatus
from baton.errors import UsageError
from baton.shards.plan import assign, parse_shard, plan_digest, shard_setting, take_share


def changed(path: str, added: int, removed: int = 0) -> ChangedFile:
    return ChangedFile(
        path=path,
        status=FileStatus.MODIFIED,
        added_lines=frozenset(range(1, added + 1)),
        old_lines={n: "" for n in range(1, removed + 1)},
    )


def change(*files: ChangedFile) -> ChangeSet:
    return ChangeSet(root=".", base="b" * 40, head="h" * 40, files=files)


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("0/4", "K must be 1 to N"),
        ("5/4", "K must be 1 to N"),
        ("a/b", "must be K/N"),
        ("1/0", "N must be 1 to 256"),
        ("1/257", "N must be 1 to 256"),
        ("2", "must be K/N"),
        ("-1/4", "must be K/N"),
        ("1/4/2", "must be K/N"),
        ("", "must be K/N"),
        ("1.5/4", "must be K/N"),
    ],
)
def test_a_bad_shard_is_one_usage_error(given: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem) as raised:
        parse_shard(given)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(("given", "parsed"), [("1/1", (1, 1)), (" 3 / 4 ", (3, 4))])
def test_good_shards(given: str, parsed: tuple[int, int]) -> None:
    assert parse_shard(given) == parsed


def test_every_file_is_in_exactly_one_shard_and_loads_are_balanced() -> None:
    rng = random.Random(7)
    files = [changed(f"f{i:03}.py", rng.randint(0, 400), rng.randint(0, 50)) for i in range(300)]
    whole = change(*files)
    shares = [
        take_share(whole, k, 4, fail_on="critical", min_diff_coverage=80)[0] for k in (1, 2, 3, 4)
    ]
    paths = [f.path for share in shares for f in share.files]
    assert sorted(paths) == sorted(f.path for f in files)
    loads = [sum(len(f.added_lines) + len(f.old_lines) + 1 for f in s.files) for s in shares]
    assert max(loads) - min(loads) <= max(len(f.added_lines) + len(f.old_lines) + 1 for f in files)
    assert max(loads) / min(loads) < 1.05


def test_the_plan_does_not_depend_on_the_diffs_order() -> None:
    files = [changed(f"src/m{i}.py", (i * 37) % 101) for i in range(60)]
    shuffled = files[::-1]
    by_path = dict(zip((f.path for f in files), assign(files, 3), strict=True))
    again = dict(zip((f.path for f in shuffled), assign(shuffled, 3), strict=True))
    assert by_path == again
    assert plan_digest(files, 3) == plan_digest(shuffled, 3)
    assert plan_digest(files, 3) != plan_digest(files, 4)
    assert plan_digest(files, 3) != plan_digest([*files[1:], changed("src/m0.py", 99)], 3)


def test_more_shards_than_files_leaves_some_empty() -> None:
    whole = change(changed("a.py", 3))
    record = take_share(whole, 2, 3, fail_on="high", min_diff_coverage=50)[1]
    assert (record.files, record.index, record.total) == ((), 2, 3)
    assert (record.fail_on, record.min_diff_coverage) == ("high", 50)


@pytest.mark.parametrize(
    ("given", "environ", "shard"),
    [
        ("2/4", {"GITLAB_CI": "true", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}, "2/4"),
        (None, {"GITLAB_CI": "true", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}, "1/3"),
        (None, {"GITLAB_CI": "true", "CI_NODE_TOTAL": "1"}, None),
        (None, {"GITLAB_CI": "true"}, None),
        (None, {"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}, None),
    ],
    ids=["flag wins", "parallel job", "parallel 1", "no parallel", "not GitLab"],
)
def test_gitlab_parallel_jobs_are_shards(
    given: str | None, environ: dict[str, str], shard: str | None
) -> None:
    assert shard_setting(given, environ) == shard
