"""The WeasyPrint side of rendering, imported only when a PDF is made: a URL fetcher that serves
nothing but our static files, and one FontConfiguration per process (building one per render
cost 20–30 % of the render and leaked memory)."""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.render import PRINT_ORIGIN


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


@functools.cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


def write_pdf(html: str) -> bytes:
    document = HTML(string=html, base_url=f"{PRINT_ORIGIN}/", url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(font_config=font_config())
