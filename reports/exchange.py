"""The reports section of the bloc-year file: the frozen (issued) documents, byte for byte.

Each document points at its plan by the plan's key ("YEAR/vVERSION/POSITION") and at the document
it supersedes by its own key ("doc/N", N = position in the list). PDF and DOCX are base64.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from blocs.exchange import (
    ExchangeError,
    ExportContext,
    ImportContext,
    Section,
    fields_json,
    parse_bytes,
    parse_datetime,
    save_clean,
    to_json,
)
from blocs.models import Bloc
from reports.models import IssuedDocument

FIELDS = ("kind", "number_text", "title", "pdf_sha256")


class ReportsSection(Section):
    keys = ("documents",)
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
        return {"documents": rows}

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
