"""Uploaded reports and evidence, treated as hostile: the size is capped, the type is judged by
the content (an executable renamed .pdf is refused), the name is cleaned, and the bytes are
hashed (sha256) for the record and the bloc-year export."""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# extension → (content type, what the bytes must look like)
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JPEG = "image/jpeg"
PNG = "image/png"

TYPES = {".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
REPORT_TYPES = (".pdf", ".docx")
EVIDENCE_TYPES = tuple(TYPES)
CHUNK = 64 * 1024


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return settings.SUBMISSION_FILE_MAX_BYTES


def human_size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def too_big(name: str, size: int | None = None) -> ValidationError:
    """The refusal of a file over the limit (its size when known)."""
    shown = f" ({human_size(size)})" if size else ""
    return ValidationError(
        f"Tệp “{name}”{shown} vượt dung lượng cho phép ({human_size(max_bytes())}).", code="size"
    )


class CappedUploadHandler(FileUploadHandler):
    """Put first in a view's upload handlers: stops reading a file once it passes the limit,
    so a 200 MB upload is refused after its first megabytes instead of being written to a
    temporary file first. The rest of the request is read and dropped (the browser gets the
    page with the message, not a reset connection); `too_big` names the file."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.too_big = ""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > max_bytes():
            self.too_big = clean_name(self.file_name or "")
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def clean_name(name: str) -> str:
    """A file name safe to show and to keep: no path, no control characters, at most 120 chars."""
    base = os.path.basename(str(name).replace("\\", "/"))
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"\s+", " ", base).strip(" .") or "tep"
    stem, ext = os.path.splitext(base)
    return stem[: 120 - len(ext)] + ext.lower()


def _sniff(head: bytes, data_for_zip) -> str | None:
    """The content type the bytes really have (None: not one we accept)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(data_for_zip()) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return DOCX
            if any(n.startswith("xl/") for n in names):
                return XLSX
    return None


def check_upload(upload: UploadedFile, *, allowed: tuple[str, ...]) -> CheckedFile:
    """Validate an upload before anything is stored; raises ValidationError in Vietnamese."""
    name = clean_name(upload.name or "")
    ext = os.path.splitext(name)[1]
    kinds = ", ".join(e.lstrip(".").upper() for e in allowed if e != ".jpeg")
    if ext not in allowed:
        raise ValidationError(f"Tệp “{name}”: chỉ nhận tệp {kinds}.", code="type")
    size = upload.size or 0
    if size > max_bytes():
        raise too_big(name, size)
    if size == 0:
        raise ValidationError(f"Tệp “{name}” rỗng.", code="empty")
    digest = hashlib.sha256()
    upload.seek(0)
    head = b""
    for chunk in upload.chunks(CHUNK):
        if not head:
            head = chunk[:16]
        digest.update(chunk)

    def whole() -> io.BytesIO | UploadedFile:
        upload.seek(0)
        return upload.file

    real = _sniff(head, whole)
    upload.seek(0)
    if real is None or real != TYPES[ext]:
        raise ValidationError(
            f"Nội dung tệp “{name}” không phải là tệp {ext.lstrip('.').upper()} hợp lệ "
            "(tệp đã bị đổi đuôi hoặc bị hỏng).",
            code="content",
        )
    return CheckedFile(name=name, content_type=real, size=size, sha256=digest.hexdigest())
