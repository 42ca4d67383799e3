"""Every text the platforms send to GitHub or GitLab is built here, and only here.

* `summary`: the sticky comment / note and the GitHub step summary (the consolidated review,
  with the publishing remarks of this run);
* `line_comment`: the body of one inline comment, discussion or draft note;
* `review_body`: the body of the GitHub review that carries the inline comments.

Warnings (the job log and the `::warning` annotations) and the step outputs are written by
`github.surfaces`; nothing else leaves baton towards a platform. Every text goes through the
run's redactor on its way out, whatever the review it was built from already went through.
"""

from __future__ import annotations

from collections.abc import Sequence

from baton.findings.model import Finding
from baton.redact import redact
from baton.render.inline import render_inline
from baton.render.markdown import History, LinkBuilder, render_markdown
from baton.report import Review


def summary(
    review: Review,
    *,
    links: LinkBuilder | None = None,
    history: History | None = None,
    notes: Sequence[str] = (),
) -> str:
    """The consolidated review as posted: `notes` are this run's publishing remarks."""
    return redact(render_markdown(review, links=links, history=history, notes=notes))


def line_comment(finding: Finding) -> str:
    """One finding, on the line it is about."""
    return redact(render_inline(finding))


def review_body(count: int) -> str:
    """The body of the review that carries `count` inline comments."""
    return f"baton: {count} findings on changed lines (details in the summary)."
