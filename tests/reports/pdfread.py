"""Reading rendered PDFs back: page boxes, fonts, text by region."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pdfplumber
from pypdf import PdfReader

MM = 72 / 25.4
A4 = (595.28, 841.89)


@dataclass
class PageText:
    number: int
    width: float
    height: float
    chars: list[dict]
    header: str  # text inside the top margin (the page number)
    body: str  # text inside the margins


def read_pages(pdf: bytes, margin_top_mm: float) -> list[PageText]:
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for i, page in enumerate(doc.pages, start=1):
            top = margin_top_mm * MM
            header = page.crop((0, 0, page.width, top)).extract_text() or ""
            body = page.crop((0, top, page.width, page.height)).extract_text() or ""
            pages.append(PageText(i, page.width, page.height, list(page.chars), header, body))
    return pages


def embedded_fonts(pdf: bytes) -> set[str]:
    """Base names of every font in the PDF, without the subset prefix (ABCDEF+)."""
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont", "")).lstrip("/")))
    return names


def full_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def squash(text: str) -> str:
    """Text without any whitespace, for comparisons that ignore line breaks and justification."""
    return re.sub(r"\s+", "", text)
