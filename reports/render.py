"""Renderer: context → HTML (Django template) → PDF (WeasyPrint). The PDF step fetches nothing but
our own static files, and refuses to print with anything but a Times-compatible font.

WeasyPrint is imported only when a PDF is rendered (reports/pdf.py), so serving a frozen document
never pays its start-up; a draft's PDF is cached by the hash of its HTML in the cache every
process shares (settings.CACHES: the database by default). How long a print will take is
estimated from its HTML (estimate_seconds): the large ones go to the task worker (reports/jobs.py).
"""

from __future__ import annotations

import functools
import hashlib
import math
import subprocess
from collections.abc import Callable

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

# The cost of a print, fitted on this app's documents (bench/README.md, "Print cost"): WeasyPrint
# spends about 7.3 µs per byte of HTML, plus 0.4 ms per table cell (table layout dominates the
# landscape ranking tables), plus a fixed 0.15 s; a page holds about 3.7 KB of HTML of text, or
# about 12 rows of a table.
SECONDS_FIXED, SECONDS_PER_BYTE, SECONDS_PER_CELL = 0.15, 7.3e-6, 4.0e-4
BYTES_PER_PAGE, ROWS_PER_PAGE = 3700, 12


def estimate_seconds(html: str) -> float:
    """How long printing `html` takes on one idle core (within ±25 % on the documents measured)."""
    return (
        SECONDS_FIXED
        + SECONDS_PER_BYTE * len(html.encode("utf-8"))
        + SECONDS_PER_CELL * html.count("<td")
    )


def estimate_pages(html: str) -> int:
    by_text = len(html.encode("utf-8")) / BYTES_PER_PAGE
    return max(1, math.ceil(max(by_text, html.count("<tr") / ROWS_PER_PAGE)))


def content_hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def cache_key(sha256: str) -> str:
    return "draft-pdf:" + sha256


def html_to_pdf(html: str, on_page: Callable[[int], None] | None = None) -> bytes:
    """The PDF of `html`; `on_page(n)` is called as page n is laid out."""
    check_fonts()
    from reports import pdf  # WeasyPrint loads here, not when the app starts

    return pdf.write_pdf(html, on_page=on_page)


def cached_pdf(sha256: str) -> bytes | None:
    return cache.get(cache_key(sha256))


def remember_pdf(sha256: str, body: bytes) -> None:
    cache.set(cache_key(sha256), body, DRAFT_CACHE_SECONDS)


def draft_pdf(html: str) -> bytes:
    """The PDF of a draft's HTML; a second download of an unchanged draft comes from the cache
    (the key is the sha256 of the HTML, so any change to the plan renders again)."""
    sha256 = content_hash(html)
    body = cached_pdf(sha256)
    if body is None:
        body = html_to_pdf(html)
        remember_pdf(sha256, body)
    return body


def render_pdf(ctx: PlanDocContext) -> bytes:
    return html_to_pdf(render_html(ctx))
