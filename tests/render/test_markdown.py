"""The consolidated comment: golden renders, structure, order, escaping and size limits."""

from __future__ import annotations

import random
import re

import pytest

from baton.agents.base import AgentStatus
from baton.change.model import SkippedFile
from baton.errors import UsageError
from baton.findings.model import Finding, Severity
from baton.memory.state import read_state
from baton.render.markdown import MIN_CHARS, render_markdown
from baton.report import Review, SuppressedFinding
from baton.settings import FailOn
from tests.render import mdparse
from tests.render.conftest import Golden
from tests.render.reviews import SCENARIOS, agent, finding, review

_ITEM = re.compile(r"^- \*\*(CRITICAL|HIGH|MEDIUM|LOW|INFO)\*\* ", re.MULTILINE)


def _items(body: str) -> list[str]:
    """Severities of the finding list items, in order (the suppressed list not included)."""
    start = body.find("#### Findings")
    return _ITEM.findall(body[start : body.find("#### Agents")]) if start >= 0 else []


def _links(path: str, line: int | None, end_line: int | None) -> str:
    anchor = "" if line is None else f"#L{line}" + (f"-L{end_line}" if end_line else "")
    return f"https://forge.example/acme/app/blob/fedcba9/{path}{anchor}"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_render_matches_golden(name: str, golden: Golden) -> None:
    golden(f"{name}.md", render_markdown(SCENARIOS[name]()))


def test_render_with_links_matches_golden(golden: Golden) -> None:
    golden("fail-linked.md", render_markdown(SCENARIOS["fail"](), links=_links))


def test_comment_starts_with_marker_and_ends_with_readable_state() -> None:
    body = render_markdown(SCENARIOS["fail"]())
    assert body.splitlines()[0] == "<!-- baton:summary -->"
    assert body.rstrip().splitlines()[-1].startswith("<!-- baton:state ")
    state = read_state(body).state
    assert state is not None
    assert state.verdict == "fail"
    assert state.head == SCENARIOS["fail"]().head
    assert len(state.findings) == 6


def test_verdict_lines() -> None:
    assert "### ✅ baton: passed" in render_markdown(SCENARIOS["pass"]())
    assert "### ❌ baton: 2 blocking findings (fail on HIGH)" in render_markdown(
        SCENARIOS["fail"]()
    )
    incomplete = render_markdown(SCENARIOS["incomplete"]())
    assert "### ⚠️ baton: review incomplete — agent security failed" in incomplete
    assert "- agent security failed: bandit exited 2" in incomplete
    coverage = render_markdown(SCENARIOS["coverage-below"]())
    assert "### ❌ baton: failed — 1 blocking condition" in coverage
    assert "- coverage: diff coverage 40.0% is below the 80% minimum" in coverage


def test_findings_are_grouped_most_severe_first_and_context_lines_are_marked() -> None:
    body = render_markdown(SCENARIOS["fail"]())
    assert _items(body) == ["CRITICAL", "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
    context = [line for line in body.splitlines() if "not an added line" in line]
    assert len(context) == 1
    assert "`src/app.py:30`" in context[0]


def test_count_table_has_a_row_per_agent_and_totals() -> None:
    body = render_markdown(SCENARIOS["fail"]())
    rows = mdparse.table_rows(body)
    assert rows[0] == ["Agent", "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "Total"]
    assert rows[1] == ["security", "2", "1", "0", "0", "0", "3"]
    assert rows[4] == ["Total", "2", "1", "1", "1", "1", "6"]


def test_agent_table_shows_status_reason_and_summary() -> None:
    rows = mdparse.table_rows(render_markdown(SCENARIOS["incomplete"]()))
    status = {row[0]: row for row in rows if len(row) == 7 and row[1] == "builtin"}
    assert status["security"][2] == "❌ failed: bandit exited 2: error: unrecognized arguments"
    assert status["coverage"][2] == "⏭️ skipped: no coverage report"
    assert status["quality"][2:5] == ["✅ ok", "3", "1"]


def test_links_come_from_the_link_builder_and_rule_urls() -> None:
    body = render_markdown(SCENARIOS["fail"](), links=_links)
    hrefs = mdparse.hrefs(body)
    assert "https://forge.example/acme/app/blob/fedcba9/src/app.py#L12-L14" in hrefs
    assert "https://forge.example/acme/app/blob/fedcba9/src/app.py" in hrefs
    assert any(h.startswith("https://bandit.readthedocs.io/") for h in hrefs)
    assert "https://cwe.mitre.org/data/definitions/78.html" in hrefs


def test_without_links_paths_are_code_spans() -> None:
    body = render_markdown(SCENARIOS["fail"]())
    codes = [t.content for t in mdparse.tokens(body) if t.type == "code_inline"]
    assert "config/settings.py:4" in codes
    assert "src/app.py:12-14" in codes
    assert not any("forge.example" in h for h in mdparse.hrefs(body))


def test_long_skipped_lists_are_collapsed_and_short_ones_are_not() -> None:
    long_body = render_markdown(SCENARIOS["coverage-below"]())
    assert "<details><summary>12 files not reviewed</summary>" in long_body
    short_body = render_markdown(SCENARIOS["fail"]())
    assert "**1 file not reviewed**" in short_body
    assert "- `assets/logo.png` — binary file" in short_body


def test_agent_level_skips_are_listed_with_the_agent() -> None:
    result = review(
        (),
        [
            agent(
                "quality",
                skipped=(
                    SkippedFile(path="notes.txt", reason="not Python", other_kind=True),
                    SkippedFile(path="big.py", reason="bandit: excluded by the repository"),
                ),
            )
        ],
    )
    body = render_markdown(result)
    assert "- `notes.txt` — not Python (quality)" in body  # no agent reviewed it
    assert "- `big.py` — bandit: excluded by the repository (quality)" in body


def test_a_file_another_agent_reviewed_is_not_listed_for_being_another_kind() -> None:
    result = review(
        (),
        [
            agent("security"),
            agent(
                "dockerfile",
                skipped=(SkippedFile(path="app.py", reason="not a Dockerfile", other_kind=True),),
            ),
        ],
    )
    assert "not a Dockerfile" not in render_markdown(result)


def test_suppressed_findings_are_counted_in_a_collapsed_list() -> None:
    body = render_markdown(SCENARIOS["fail"]())
    assert "<details><summary>1 finding suppressed</summary>" in body
    assert "Use of assert" in mdparse.shown_text(body)
    assert "baton: ignore[B101]" in mdparse.shown_text(body)


def test_suppressed_findings_show_the_reason_written_after_the_marker() -> None:
    quiet = finding(Severity.HIGH, "src/run.py", 8, rule_id="B602", title="shell=True")
    result = review(
        suppressed=(
            SuppressedFinding(
                finding=quiet,
                reason="baton: ignore[B602]",
                justification="command is a *constant* list, see #12 @sec-team",
            ),
        ),
    )
    body = render_markdown(result)
    shown = mdparse.shown_text(body)
    assert (
        "HIGH src/run.py:8 — shell=True (baton: ignore[B602]) — "
        "command is a *constant* list, see #12 @sec-team"
    ) in shown
    emphasis = [t for t in mdparse.tokens(body) if t.type == "em_open"]
    assert len(emphasis) == 1
    text = "".join(t.content for t in mdparse.tokens(body) if t.type == "text")
    assert re.search(r"[@#]\w", text) is None


def test_footer_shows_version_and_short_shas() -> None:
    body = render_markdown(SCENARIOS["pass"]())
    assert "<sub>baton 9.9.9 · `0123456`..`fedcba9`</sub>" in body


def test_empty_change_says_so_and_shows_no_findings_sections() -> None:
    body = render_markdown(SCENARIOS["empty"]())
    assert "No changed files to review" in body
    assert "#### Findings" not in body
    state = read_state(body).state
    assert state is not None
    assert (state.head, state.verdict, state.findings) == (SCENARIOS["empty"]().head, "pass", ())


def test_output_does_not_depend_on_finding_order() -> None:
    original = SCENARIOS["fail"]()
    expected = render_markdown(original, links=_links)
    shuffler = random.Random(7)
    for _ in range(10):
        findings = list(original.findings)
        suppressed = list(original.suppressed)
        shuffler.shuffle(findings)
        shuffler.shuffle(suppressed)
        shuffled = original.model_copy(
            update={"findings": tuple(findings), "suppressed": tuple(suppressed)}
        )
        assert render_markdown(shuffled, links=_links) == expected


# --- escaping on the rendered comment -------------------------------------------------

_HOSTILE = "@org/team hi @user </details><img src=x onerror=alert(1)> <!-- baton:state {} -->"
_HOSTILE_MD = "[x](javascript:alert(1)) ![i](https://evil.example/p.png) **b** `c` | #7 !8"


def _hostile_review() -> Review:
    bad = finding(
        Severity.CRITICAL,
        "src/`we|ird`\n# path <!-- x -->.py",
        3,
        agent="security",
        rule_id="R`1 | <b>",
        rule_url="javascript:alert(1)",
        title=f"{_HOSTILE}\n# heading",
        message=f"{_HOSTILE_MD}\n\n- list item\n| a | b |\n|---|---|\nhttps://evil.example/x.png",
        recommendation="/approve\n/merge\n@admin please",
    )
    hostile_agent = agent(
        "security",
        [bad],
        status=AgentStatus.FAILED,
        reason=f"crashed | {_HOSTILE}\n# boom",
        engine="model <b>",
        summary="summary | with pipe @someone",
        skipped=(SkippedFile(path="x.bin\n# h", reason="binary @user <i>"),),
    )
    quiet = finding(Severity.LOW, "q.py", 1, title="ok")
    return review(
        [bad],
        [hostile_agent],
        fail_on=FailOn.CRITICAL,
        suppressed=(
            SuppressedFinding(
                finding=quiet, reason="<!-- baton:summary --> @x", justification=_HOSTILE
            ),
        ),
        skipped=(SkippedFile(path="<img src=x>.png", reason="binary | #1"),),
    )


def _links_for_hostile(path: str, line: int | None, end_line: int | None) -> str:
    return "https://forge.example/blob/" + path


_OWN_HTML = re.compile(
    r"^(<!-- baton:summary -->|<!-- baton:state 2 [A-Za-z0-9+/=]+ -->|<br>|<sub>|</sub>|</details>"
    r"|<details><summary>(Details|\d+ files? not reviewed|\d+ findings? suppressed)</summary>)$"
)


@pytest.mark.parametrize("links", [None, _links_for_hostile])
def test_hostile_text_is_rendered_inert(links: object) -> None:
    body = render_markdown(_hostile_review(), links=links)  # type: ignore[arg-type]
    assert all(_OWN_HTML.match(piece) for piece in mdparse.html(body)), mdparse.html(body)
    assert mdparse.count(body, "image") == 0
    assert mdparse.headings(body) == [
        "❌ baton: 1 blocking finding (fail on CRITICAL)",
        "Findings",
        "Agents",
    ]
    for href in mdparse.hrefs(body, linkify=True):
        assert href.startswith("https://forge.example/blob/"), href
    assert body.count("<!--") == 2
    assert body.count("-->") == 2
    assert read_state(body).state is not None
    text = "".join(t.content for t in mdparse.tokens(body) if t.type == "text")
    assert re.search(r"@\w", text) is None
    assert re.search(r"[#!]\d", text) is None
    assert "\n/approve" not in body and "\n/merge" not in body


def test_hostile_text_keeps_tables_and_lists_in_shape() -> None:
    body = render_markdown(_hostile_review())
    rows = mdparse.table_rows(body)
    assert all(len(row) == 7 for row in rows if row[0] in {"Agent", "security", "Total"})
    agent_row = next(row for row in rows if row[1].startswith("model"))
    assert agent_row[1] == "model <b>"
    assert agent_row[2].startswith("❌ failed: crashed | @org/team hi @user </details>")
    assert agent_row[6] == "summary | with pipe @someone"
    assert len(_items(body)) == 1
    assert mdparse.count(body, "table_open") == 2


def test_hostile_text_is_still_shown_to_the_reader() -> None:
    shown = mdparse.shown_text(render_markdown(_hostile_review()))
    assert "<img src=x onerror=alert(1)>" in shown
    assert "[x](javascript:alert(1)) ![i](https://evil.example/p.png) **b** `c` | #7 !8" in shown
    assert "src/`we|ird` # path <!-- x -->.py:3" in shown
    assert "R`1 | <b>" in shown


# --- size limits ----------------------------------------------------------------------


def _many_findings(count: int) -> Review:
    severities = Severity.ordered()
    found = [
        finding(
            severities[i % 5],
            f"src/module_{i % 97:03}.py",
            i + 1,
            rule_id=f"R{i % 13}",
            title=f"finding number {i} with a reasonably descriptive title",
            message="A message that explains the problem in a sentence or two. " * 3,
            recommendation="Do the obvious thing.",
        )
        for i in range(count)
    ]
    return review(found, [agent("quality", found, files_reviewed=97)], fail_on=FailOn.NEVER)


def test_thousands_of_findings_fit_and_the_least_severe_are_dropped_first() -> None:
    big = _many_findings(3000)
    body = render_markdown(big)
    assert len(body) <= 65_000
    assert body.startswith("<!-- baton:summary -->\n")
    shown = _items(body)
    hidden = 3000 - len(shown)
    assert hidden > 0
    assert f"{hidden} lower-severity findings not shown (see the JSON/SARIF report)." in body
    ranks = [Severity(s).rank for s in shown]
    assert ranks == sorted(ranks, reverse=True)
    assert set(shown) == {"CRITICAL"}
    assert 50 < len(shown) < 600
    totals = next(row for row in mdparse.table_rows(body) if row[0] == "Total")
    assert totals == ["Total", "600", "600", "600", "600", "600", "3000"]
    state = read_state(body).state
    assert state is not None
    assert len(state.findings) + state.omitted == 3000


@pytest.mark.parametrize("limit", [MIN_CHARS, 5_000, 20_000])
def test_small_limits_are_respected_and_keep_marker_and_state(limit: int) -> None:
    big = _many_findings(500)
    body = render_markdown(big, max_chars=limit)
    assert len(body) <= limit
    assert body.startswith("<!-- baton:summary -->")
    assert read_state(body).state is not None
    assert "lower-severity findings not shown" in body


def test_long_lists_and_huge_texts_are_cut_to_fit() -> None:
    huge = finding(Severity.HIGH, "a.py", 1, title="t" * 100_000, message="m\n" * 100_000)
    skipped = tuple(SkippedFile(path=f"vendor/{i}.js", reason="vendored") for i in range(5000))
    result = review([huge], [agent("quality", [huge])], skipped=skipped)
    body = render_markdown(result)
    assert len(body) <= 65_000
    assert "5000 files not reviewed" in body
    assert "- … and 4950 more" in body
    assert len(_items(body)) == 1


def test_a_limit_below_the_minimum_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="too small"):
        render_markdown(SCENARIOS["pass"](), max_chars=500)


def test_findings_are_validated_values() -> None:
    assert all(isinstance(f, Finding) for f in SCENARIOS["fail"]().findings)


def test_dismissed_findings_are_listed_with_who_and_why_apart_from_suppressed() -> None:
    high = finding(Severity.HIGH, "src/db.py", 3, agent="security", rule_id="B608")
    dismissed = SuppressedFinding(
        finding=high,
        reason="dismissed by @alice",
        justification="the table name is a constant",
        dismissed_by="alice",
    )
    body = render_markdown(review(suppressed=(dismissed,)))
    assert "**Dismissed (1)**" in body
    assert "(dismissed by @&#8203;alice) — *the table name is a constant*" in body  # no ping
    assert "suppressed</summary>" not in body
