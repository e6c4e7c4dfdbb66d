"""Template filters for the plan page: the body's **bold** and *italic* marks as HTML."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from plans.importer.text import spans  # the same tokenizer the documents print with

register = template.Library()


@register.filter
def marked(text: str) -> SafeString:
    """Escape the text, then wrap its bold and italic runs in <strong>/<em> (no raw asterisks)."""
    out = []
    for piece, bold, italic in spans(text or ""):
        html = escape(piece).replace("\n", "<br>")
        if italic:
            html = f"<em>{html}</em>"
        if bold:
            html = f"<strong>{html}</strong>"
        out.append(html)
    return mark_safe("".join(out))
