"""The job's own surfaces: step summary, outputs, log groups and annotations."""

from __future__ import annotations

import io
from pathlib import Path

from baton.platforms.github.surfaces import (
    SUMMARY_LIMIT,
    mask,
    outputs_for,
    write_log,
    write_outputs,
    write_step_summary,
)
from baton.redact import Redactor, redacting
from tests.render.reviews import SCENARIOS


def test_outputs_file_uses_the_actions_format(tmp_path: Path) -> None:
    target = tmp_path / "output"
    review = SCENARIOS["fail"]()
    inside = Path.cwd() / ".baton" / "report.json"
    values = outputs_for(review, {"report_json": inside, "sarif": None})
    write_outputs({"GITHUB_OUTPUT": str(target)}, values | {"multi": "a\nb"})
    text = target.read_text()
    assert "verdict=fail\n" in text
    assert "exit_code=1\n" in text
    assert f"critical_count={values['critical_count']}\n" in text
    assert "report_json=.baton/report.json\n" in text
    assert "sarif=" not in text
    assert "multi<<baton_" in text and "\na\nb\n" in text


def test_step_summary_is_appended_and_capped(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n")
    write_step_summary({"GITHUB_STEP_SUMMARY": str(target)}, "x" * (SUMMARY_LIMIT + 10))
    text = target.read_text()
    assert text.startswith("earlier step\n")
    assert len(text.encode()) < 1024 * 1024
    assert text.rstrip().endswith("(truncated)")


def test_log_has_groups_warnings_and_escaped_annotations() -> None:
    out = io.StringIO()
    write_log(SCENARIOS["fail"](), ["token is read-only"], out)
    log = out.getvalue()
    assert log.count("::group::") == log.count("::endgroup::") >= 3
    assert "::warning title=baton::token is read-only" in log
    errors = [line for line in log.splitlines() if line.startswith("::error ")]
    assert errors
    assert all("file=" in line and "line=" in line and "\n" not in line for line in errors)


SECRET = "s3cr3t-value-of-the-job-9f8e7d"


def test_every_surface_but_the_mask_is_redacted(tmp_path: Path) -> None:
    out = io.StringIO()
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "s.md"), "GITHUB_OUTPUT": str(tmp_path / "o")}
    with redacting(Redactor([SECRET])):
        mask(SECRET, out)
        write_log(SCENARIOS["fail"](), [f"GitHub said {SECRET}"], out)
        write_step_summary(env, f"summary quoting {SECRET}")
        write_outputs(env, {"note": f"{SECRET}\nsecond line", "one": SECRET})
    log = out.getvalue()
    assert log.splitlines()[0] == f"::add-mask::{SECRET}"
    assert SECRET not in "\n".join(log.splitlines()[1:])
    assert "::warning title=baton::GitHub said s3cr…[redacted " in log
    for name in ("s.md", "o"):
        text = (tmp_path / name).read_text()
        assert SECRET not in text and "[redacted" in text
