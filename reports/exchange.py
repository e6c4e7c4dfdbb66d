"""The reports section of the bloc-year file: the frozen (issued) documents, byte for byte, and
the bloc's number registers with the numbers they gave to those documents.

Each document points at its plan by the plan's key ("YEAR/vVERSION/POSITION") and at the document
it supersedes by its own key ("doc/N", N = position in the list). PDF and DOCX are base64.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.db.models import Q

from blocs.exchange import (
    ExchangeError,
    ExportContext,
    ImportContext,
    Section,
    fields_json,
    parse_bytes,
    parse_date,
    parse_datetime,
    save_clean,
    to_json,
)
from blocs.models import Bloc
from reports.models import IssuedDocument, NumberRegister, RegisterEntry
from reports.registers import term_label

FIELDS = ("kind", "number_text", "title", "pdf_sha256")


class ReportsSection(Section):
    keys = ("documents", "registers")
    audit_refs = {"plan": "plans.plan", "supersedes": "reports.issueddocument"}

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return IssuedDocument.objects.filter(bloc=bloc, year=year).exists()

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        docs = list(
            IssuedDocument.objects.filter(bloc=ctx.bloc, year=ctx.year).order_by("issued_at", "id")
        )
        for position, doc in enumerate(docs, start=1):
            ctx.remember(doc, f"doc/{position}")
        doc_keys = ctx.refs.get("reports.issueddocument", {})
        plan_keys = ctx.refs.get("plans.plan", {})
        rows = []
        for doc in docs:
            rows.append(
                {
                    "key": doc_keys[doc.pk],
                    **fields_json(doc, FIELDS),
                    "plan": plan_keys.get(doc.plan_id),
                    "supersedes": doc_keys.get(doc.supersedes_id),
                    "context": doc.context,
                    "pdf": base64.b64encode(bytes(doc.pdf)).decode("ascii"),
                    "docx": base64.b64encode(bytes(doc.docx)).decode("ascii"),
                    "issued_at": to_json(doc.issued_at),
                    "issued_by": ctx.user_ref(doc.issued_by),
                }
            )
        return {"documents": rows, "registers": _dump_registers(ctx, doc_keys)}

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        plans = ctx.pks.get("plans.plan", {})
        for row in data.get("documents") or []:
            where = f"Văn bản {row.get('key')}"
            if row.get("plan") is not None and row["plan"] not in plans:
                raise ExchangeError(f"{where}: kế hoạch “{row['plan']}” không có trong tệp.")
            supersedes = ctx.pks.get("reports.issueddocument", {}).get(row.get("supersedes"))
            doc = IssuedDocument(
                kind=row["kind"],
                plan_id=plans.get(row.get("plan")),
                bloc=ctx.bloc,
                year=ctx.year,
                number_text=row["number_text"],
                title=row["title"],
                context=row["context"],
                pdf=parse_bytes(row["pdf"], where),
                pdf_sha256=row["pdf_sha256"],
                docx=parse_bytes(row["docx"], where),
                issued_at=parse_datetime(row["issued_at"], where),
                issued_by=ctx.user(row.get("issued_by"), where),
                supersedes_id=supersedes,
            )
            if hashlib.sha256(bytes(doc.pdf)).hexdigest() != doc.pdf_sha256:
                raise ExchangeError(f"{where}: tệp PDF không khớp mã sha256, dữ liệu đã bị sửa.")
            save_clean(doc, where)
            ctx.remember(doc, row["key"])
            ctx.created["văn bản đã ban hành"] += 1
        for row in data.get("registers") or []:
            _load_register(row, ctx)


def _dump_registers(ctx: ExportContext, doc_keys: dict[int, str]) -> list[dict[str, Any]]:
    """The bloc's books of the year and of its Party term, and any book that numbered a document
    of the file; entries only for the file's documents (and undocumented numbers of the year)."""
    periods = {str(ctx.year), term_label(ctx.year)}
    books = (
        NumberRegister.objects.filter(bloc=ctx.bloc)
        .filter(Q(period__in=periods) | Q(entries__document__in=list(doc_keys)))
        .distinct()
        .order_by("doc_type", "period")
    )
    rows = []
    for book in books:
        entries = [
            {
                "number": e.number,
                "issued_on": to_json(e.issued_on),
                "document": doc_keys.get(e.document_id),
            }
            for e in book.entries.order_by("number")
            if e.document_id in doc_keys or (e.document_id is None and e.issued_on.year == ctx.year)
        ]
        rows.append(
            {
                "doc_type": book.doc_type,
                "period": book.period,
                "last_number": book.last_number,
                "entries": entries,
            }
        )
    return rows


def _load_register(row: dict[str, Any], ctx: ImportContext) -> None:
    # Files written before term books had a label name the Party book "nhiem-ky".
    period = term_label(ctx.year) if row["period"] == "nhiem-ky" else row["period"]
    where = f"Sổ đăng ký {row['doc_type']} {period}"
    book, made = NumberRegister.objects.get_or_create(
        bloc=ctx.bloc, doc_type=row["doc_type"], period=period
    )
    # A Party term book spans years: keep the higher of the two counters.
    book.last_number = max(book.last_number, row["last_number"])
    save_clean(book, where)
    ctx.created["sổ đăng ký văn bản"] += made
    documents = ctx.pks.get("reports.issueddocument", {})
    for item in row.get("entries") or []:
        if book.entries.filter(number=item["number"]).exists():
            raise ExchangeError(f"{where}: số {item['number']:02d} đã được cấp.")
        entry = RegisterEntry(
            register=book,
            number=item["number"],
            issued_on=parse_date(item["issued_on"], where),
            document_id=documents.get(item["document"]),
        )
        save_clean(entry, f"{where}, số {item['number']}")
