"""Template filters for the plan page: the body's **bold** and *italic* marks as HTML."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def marked(text: str) -> SafeString:
    """Escape the text, then wrap its bold and italic runs in <strong>/<em> (no raw asterisks)."""
    from reports.documents import parse_runs  # the same tokenizer the documents print with

    out = []
    for run in parse_runs(text or ""):
        html = escape(run.text).replace("\n", "<br>")
        if run.italic:
            html = f"<em>{html}</em>"
        if run.bold:
            html = f"<strong>{html}</strong>"
        out.append(html)
    return mark_safe("".join(out))
