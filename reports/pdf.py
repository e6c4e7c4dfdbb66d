"""The WeasyPrint side of rendering, imported only when a PDF is made: a URL fetcher that serves
nothing but our static files, one FontConfiguration per process (building one per render
cost 20–30 % of the render and leaked memory), and the page-by-page progress of a render (read
from WeasyPrint's progress log) for the task worker's progress bar."""

from __future__ import annotations

import contextlib
import functools
import logging
import mimetypes
import re
from collections.abc import Callable, Iterator
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


PROGRESS = logging.getLogger("weasyprint.progress")
PAGE_STEP = re.compile(r"Step 5 - Creating layout - Page (\d+)")


class _PageProgress(logging.Handler):
    def __init__(self, on_page: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.on_page = on_page

    def emit(self, record: logging.LogRecord) -> None:
        match = PAGE_STEP.match(record.getMessage())
        if match:
            self.on_page(int(match.group(1)))


@contextlib.contextmanager
def _progress(on_page: Callable[[int], None] | None) -> Iterator[None]:
    """While rendering, hand each page WeasyPrint lays out to `on_page` (one process renders
    one document at a time: the task worker); the log lines themselves go nowhere."""
    if on_page is None:
        yield
        return
    handler = _PageProgress(on_page)
    level, propagate = PROGRESS.level, PROGRESS.propagate
    PROGRESS.addHandler(handler)
    PROGRESS.setLevel(logging.INFO)
    PROGRESS.propagate = False
    try:
        yield
    finally:
        PROGRESS.removeHandler(handler)
        PROGRESS.setLevel(level)
        PROGRESS.propagate = propagate


def write_pdf(html: str, on_page: Callable[[int], None] | None = None) -> bytes:
    document = HTML(string=html, base_url=f"{PRINT_ORIGIN}/", url_fetcher=StaticOnlyFetcher())
    with _progress(on_page):
        return document.write_pdf(font_config=font_config())
