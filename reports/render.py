"""Renderer: context → HTML (Django template) → PDF (WeasyPrint). The PDF step fetches nothing but
our own static files, and refuses to print with anything but a Times-compatible font."""

from __future__ import annotations

import functools
import mimetypes
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


class StaticOnlyFetcher(URLFetcher):
    """Serves /static/… files found by Django's staticfiles finders; anything else is refused."""

    def __init__(self) -> None:
        super().__init__(fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin != PRINT_ORIGIN or not parts.path.startswith("/static/"):
            raise ValueError(f"URL bị chặn khi in văn bản: {url}")
        found = finders.find(unquote(parts.path.removeprefix("/static/")))
        if not found:
            raise ValueError(f"Không tìm thấy tệp tĩnh: {parts.path}")
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})


def render_html(ctx: PlanDocContext, *, template: str | None = None) -> str:
    """The print HTML (also the browser preview): autoescaped, styled by the format profile."""
    template = template or f"reports/print/{ctx.kind}.html"
    return render_to_string(template, {"doc": ctx, "p": ctx.profile})


def html_to_pdf(html: str) -> bytes:
    check_fonts()
    document = HTML(string=html, base_url=f"{PRINT_ORIGIN}/", url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()


def render_pdf(ctx: PlanDocContext) -> bytes:
    return html_to_pdf(render_html(ctx))
