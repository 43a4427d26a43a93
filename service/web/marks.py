"""Marking up the words a search matched, with everything a person typed still escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from service.web import bp


@bp.app_template_filter("marked")
def marked(text: str, spans: Sequence[Sequence[int]]) -> Markup:
    """``text`` escaped, with each [start, end) span wrapped in <mark>; bad spans are ignored."""
    out: list[str] = []
    last = 0
    for span in sorted((int(s), int(e)) for s, e in spans):
        start, end = span
        if start < last or end <= start or end > len(text):
            continue
        out.append(str(escape(text[last:start])))
        out.append("<mark>" + str(escape(text[start:end])) + "</mark>")
        last = end
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # every piece above was escaped
