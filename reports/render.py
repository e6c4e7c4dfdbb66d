"""Renderer: context → HTML (Django template) → PDF (WeasyPrint). The PDF step fetches nothing but
our own static files, and refuses to print with anything but a Times-compatible font.

WeasyPrint is imported only when a PDF is rendered (reports/pdf.py), so serving a frozen document
never pays its start-up; a draft's PDF is cached by the hash of its HTML."""

from __future__ import annotations

import functools
import hashlib
import subprocess

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

from reports.documents import PlanDocContext

# The HTML links "/static/…"; WeasyPrint resolves it against this origin, which never hits a network.
PRINT_ORIGIN = "https://print.invalid"
TIMES_FAMILIES = ("Times New Roman", "Liberation Serif")


class FontMissingError(ImproperlyConfigured):
    """No Times New Roman nor Liberation Serif: printing would silently fall back to another font."""


@functools.cache
def _installed_families() -> frozenset[str]:
    out = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def check_fonts() -> str:
    """Return the Times-compatible family installed, or raise FontMissingError."""
    try:
        families = _installed_families()
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontMissingError("Không chạy được fc-list để kiểm tra phông chữ văn bản.") from exc
    for family in TIMES_FAMILIES:
        if family in families:
            return family
    raise FontMissingError(
        "Thiếu phông Times New Roman hoặc Liberation Serif (Debian: apt-get install "
        "fonts-liberation2); văn bản không in bằng phông thay thế."
    )


def render_html(ctx: PlanDocContext, *, template: str | None = None) -> str:
    """The print HTML (also the browser preview): autoescaped, styled by the format profile."""
    template = template or f"reports/print/{ctx.kind}.html"
    return render_to_string(template, {"doc": ctx, "p": ctx.profile})


DRAFT_CACHE_SECONDS = 3600


def html_to_pdf(html: str) -> bytes:
    check_fonts()
    from reports import pdf  # WeasyPrint loads here, not when the app starts

    return pdf.write_pdf(html)


def draft_pdf(html: str) -> bytes:
    """The PDF of a draft's HTML; a second download of an unchanged draft comes from the cache
    (the key is the sha256 of the HTML, so any change to the plan renders again)."""
    key = "draft-pdf:" + hashlib.sha256(html.encode("utf-8")).hexdigest()
    body = cache.get(key)
    if body is None:
        body = html_to_pdf(html)
        cache.set(key, body, DRAFT_CACHE_SECONDS)
    return body


def render_pdf(ctx: PlanDocContext) -> bytes:
    return html_to_pdf(render_html(ctx))
