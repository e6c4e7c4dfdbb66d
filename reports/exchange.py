"""The reports section of the bloc-year file: the frozen (issued) documents, byte for byte, and
the bloc's number registers with the numbers they gave to those documents.

Each document points at its plan by the plan's key ("YEAR/vVERSION/POSITION") and at the document
it supersedes by its own key ("doc/N", N = position in the list). PDF and DOCX are base64. Three
sha256 checksums cover every frozen artefact: the PDF, the DOCX and the frozen context (its
canonical JSON). The context is re-rendered for the HTML preview, so before it is stored its
values that end up in CSS or HTML are checked: profile code, numbers and their ranges, choices.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from typing import Any

from django.db.models import Q
from django.template import TemplateSyntaxError

from blocs.exchange import ExportContext, ImportContext, Section
from blocs.exchange_values import (
    ExchangeError,
    canonical_json,
    fields_json,
    parse_bytes,
    read_row,
    read_rows,
    save_clean,
    to_json,
)
from blocs.models import Bloc
from plans.models import FormatProfile, Plan
from reports.documents import PlanDocContext, ProfileNumbers
from reports.models import CompiledReport, IssuedDocument, NumberRegister, RegisterEntry
from reports.registers import term_label
from reports.render import render_html

FIELDS = ("kind", "number_text", "title", "pdf_sha256")
DOCUMENT_ROW = {
    "key": "text",
    "kind": "code",
    "number_text": "text",
    "title": "text",
    "plan": "text?",
    "signing": "text?",
    "compiled_report": "text?",
    "meeting": "text?",
    "dossier": "text?",
    "supersedes": "text?",
    "context": "dict",
    "pdf": "code",
    "docx": "code",
    "pdf_sha256": "code",
    "docx_sha256": "code",
    "context_sha256": "code",
    "issued_at": "datetime",
    "issued_by": "text?",
}
PROFILE_CODE = re.compile(r"^[A-Za-z0-9_]{1,30}$")
MARK = re.compile(r"^[^<>{};\\]{0,10}$")
# Sensible bounds of the profile's numbers (they are printed into the print stylesheet).
RANGES = {"mm": (0.0, 100.0), "pt": (1.0, 72.0), "line_height": (0.5, 5.0)}
BLOCK_KINDS = {"heading", "paragraph", "bullet"}
REGISTER_ROW = {"doc_type": "code", "period": "code", "last_number": "int", "entries": "list"}
ENTRY_ROW = {"number": "int", "issued_on": "date", "document": "text?"}
# The bloc's BÁO CÁO of a round, keyed by the round's key; number and date once issued.
COMPILED_ROW = {"round": "code", "body": "text", "number": "int?", "issue_date": "date"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class CompiledReportsSection(Section):
    """The bloc's BÁO CÁO of each round (before the documents that freeze them), keyed by the
    round's key; a file written before they existed has no "compiled_reports" key."""

    keys = ("compiled_reports",)
    audit_refs = {"compiled_report": "reports.compiledreport"}

    def has_data(self, *, bloc: Bloc, year: int) -> bool:
        return CompiledReport.objects.filter(round__bloc=bloc, round__year=year).exists()

    def dump(self, ctx: ExportContext) -> dict[str, Any]:
        reports = CompiledReport.objects.filter(round__bloc=ctx.bloc, round__year=ctx.year)
        rows = []
        for report in reports.select_related("round").order_by("round__key"):
            ctx.remember(report, report.round.key)
            rows.append(
                {
                    "round": report.round.key,
                    "body": report.body,
                    "number": report.number,
                    "issue_date": to_json(report.issue_date),
                }
            )
        return {"compiled_reports": rows}

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        rounds = ctx.pks.get("scoring.round", {})
        for i, raw in enumerate(read_rows(data["compiled_reports"], "compiled_reports"), start=1):
            row = read_row(raw, COMPILED_ROW, f"Báo cáo tổng hợp thứ {i}")
            where = f"Báo cáo tổng hợp kỳ {row['round']}"
            if row["round"] not in rounds:
                raise ExchangeError(f"{where}: kỳ báo cáo không có trong tệp.")
            fields = {k: v for k, v in row.items() if k != "round"}
            report = CompiledReport(round_id=rounds[row["round"]], **fields)
            save_clean(report, where)
            ctx.remember(report, row["round"])
            ctx.created["báo cáo tổng hợp"] += 1


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
        signing_keys = ctx.refs.get("scoring.signingmeeting", {})
        compiled_keys = ctx.refs.get("reports.compiledreport", {})
        meeting_keys = ctx.refs.get("scoring.meeting", {})
        dossier_keys = ctx.refs.get("scoring.dossier", {})
        rows = []
        for doc in docs:
            pdf, docx = bytes(doc.pdf), bytes(doc.docx)
            rows.append(
                {
                    "key": doc_keys[doc.pk],
                    **fields_json(doc, FIELDS),
                    "plan": plan_keys.get(doc.plan_id),
                    "signing": signing_keys.get(doc.signing_id),
                    "compiled_report": compiled_keys.get(doc.compiled_report_id),
                    "meeting": meeting_keys.get(doc.meeting_id),
                    "dossier": dossier_keys.get(doc.dossier_id),
                    "supersedes": doc_keys.get(doc.supersedes_id),
                    "context": doc.context,
                    "pdf": to_json(pdf),
                    "docx": to_json(docx),
                    "docx_sha256": sha256(docx),
                    "context_sha256": sha256(canonical_json(doc.context)),
                    "issued_at": to_json(doc.issued_at),
                    "issued_by": ctx.user_ref(doc.issued_by),
                }
            )
        return {"documents": rows, "registers": _dump_registers(ctx, doc_keys)}

    def load(self, data: dict[str, Any], ctx: ImportContext) -> None:
        plans = ctx.pks.get("plans.plan", {})
        docs = ctx.pks.get("reports.issueddocument", {})
        signings = ctx.pks.get("scoring.signingmeeting", {})
        compiled = ctx.pks.get("reports.compiledreport", {})
        meetings = ctx.pks.get("scoring.meeting", {})
        dossiers = ctx.pks.get("scoring.dossier", {})
        links = (
            ("plan", plans),
            ("signing", signings),
            ("compiled_report", compiled),
            ("meeting", meetings),
            ("dossier", dossiers),
        )
        optional = {"signing": None, "compiled_report": None, "meeting": None, "dossier": None}
        for i, raw in enumerate(read_rows(data["documents"], "documents"), start=1):
            row = read_row(raw, DOCUMENT_ROW, f"Văn bản thứ {i}", optional=optional)
            where = f"Văn bản {row['key']}"
            for key, table in (*links, ("supersedes", docs)):
                if row[key] is not None and row[key] not in table:
                    raise ExchangeError(f"{where}: “{row[key]}” ({key}) không có trong tệp.")
            pdf, docx = parse_bytes(row["pdf"], where), parse_bytes(row["docx"], where)
            check_checksums(row, pdf, docx, where)
            check_context(row["context"], where, kind=row["kind"])
            if row["number_text"] != row["context"]["number_text"]:
                raise ExchangeError(f"{where}: số, ký hiệu khác với văn bản đã lưu.")
            doc = IssuedDocument(
                kind=row["kind"],
                plan_id=plans.get(row["plan"]),
                signing_id=signings.get(row["signing"]),
                compiled_report_id=compiled.get(row["compiled_report"]),
                meeting_id=meetings.get(row["meeting"]),
                dossier_id=dossiers.get(row["dossier"]),
                bloc=ctx.bloc,
                year=ctx.year,
                number_text=row["number_text"],
                title=row["title"],
                context=row["context"],
                pdf=pdf,
                pdf_sha256=row["pdf_sha256"],
                docx=docx,
                issued_at=row["issued_at"],
                issued_by=ctx.user(row["issued_by"], where),
                supersedes_id=docs.get(row["supersedes"]),
            )
            save_clean(doc, where)
            ctx.remember(doc, row["key"])
            ctx.created["văn bản đã ban hành"] += 1
        for i, raw in enumerate(read_rows(data.get("registers") or [], "registers"), start=1):
            _load_register(read_row(raw, REGISTER_ROW, f"Sổ đăng ký thứ {i}"), ctx)


def _dump_registers(ctx: ExportContext, doc_keys: dict[int, str]) -> list[dict[str, Any]]:
    """The bloc's books of the year and of its Party term, and any book that numbered a document
    of the file; entries only for the file's documents (and undocumented numbers of the year)."""
    periods = {str(ctx.year), term_label(ctx.year)}
    books = (
        NumberRegister.objects.filter(bloc=ctx.bloc)
        .filter(Q(period__in=periods) | Q(entries__document__in=list(doc_keys)))
        .distinct()
        .order_by("doc_type", "period")
        .prefetch_related("entries")
    )
    rows = []
    for book in books:
        entries = [
            {
                "number": e.number,
                "issued_on": to_json(e.issued_on),
                "document": doc_keys.get(e.document_id),
            }
            for e in sorted(book.entries.all(), key=lambda e: e.number)
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
    for i, raw in enumerate(row["entries"], start=1):
        item = read_row(raw, ENTRY_ROW, f"{where}, dòng {i}")
        if item["document"] is not None and item["document"] not in documents:
            raise ExchangeError(f"{where}: văn bản “{item['document']}” không có trong tệp.")
        if book.entries.filter(number=item["number"]).exists():
            raise ExchangeError(f"{where}: số {item['number']:02d} đã được cấp.")
        entry = RegisterEntry(
            register=book,
            number=item["number"],
            issued_on=item["issued_on"],
            document_id=documents.get(item["document"]),
        )
        save_clean(entry, f"{where}, số {item['number']}")


def check_checksums(row: dict[str, Any], pdf: bytes, docx: bytes, where: str) -> None:
    """The PDF, the DOCX and the frozen context must match their sha256 in the file."""
    artefacts = (
        ("pdf_sha256", pdf, "tệp PDF"),
        ("docx_sha256", docx, "tệp Word"),
        ("context_sha256", canonical_json(row["context"]), "dữ liệu văn bản"),
    )
    for key, data, label in artefacts:
        if sha256(data) != row[key]:
            raise ExchangeError(f"{where}: {label} không khớp mã sha256, dữ liệu đã bị sửa.")


def _number_in_range(name: str, value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return False
    unit = "line_height" if name == "line_height" else "mm" if name.endswith("_mm") else "pt"
    low, high = RANGES[unit]
    return low <= value <= high


def _check_profile(profile: Any, where: str) -> None:
    if not isinstance(profile, dict):
        raise ExchangeError(f"{where}: thiếu thể thức trong dữ liệu văn bản.")
    if not PROFILE_CODE.match(str(profile.get("code"))):
        raise ExchangeError(f"{where}: mã thể thức “{str(profile.get('code'))[:40]}” không hợp lệ.")
    if profile.get("family") not in FormatProfile.Family.values:
        raise ExchangeError(f"{where}: loại thể thức không hợp lệ.")
    if profile.get("heading_style") not in FormatProfile.Heading.values:
        raise ExchangeError(f"{where}: kiểu đánh số đề mục không hợp lệ.")
    for f in dataclasses.fields(ProfileNumbers):
        value = profile.get(f.name)
        if f.type == "float" and not _number_in_range(f.name, value):
            raise ExchangeError(f"{where}: thông số thể thức “{f.name}” không hợp lệ.")
        if f.name.endswith("_mark") and not (isinstance(value, str) and MARK.match(value)):
            raise ExchangeError(f"{where}: ký hiệu thể thức “{f.name}” không hợp lệ.")


# document kind → the print template its frozen context names (reports/print/<kind>.html)
CONTEXT_KINDS = {
    IssuedDocument.Kind.PLAN: "plan",
    IssuedDocument.Kind.GIAO_UOC: "scoring_giao_uoc",
    IssuedDocument.Kind.BAO_CAO: "compiled_report",
    IssuedDocument.Kind.MINUTES: "ranking_minutes",
    IssuedDocument.Kind.TO_TRINH: "to_trinh",
}


def check_context(context: dict[str, Any], where: str, *, kind: str = "plan") -> None:
    """A frozen context from a file must be one our templates print safely: the print template
    of its document kind, a valid profile, known choices, and it must render (else a clear
    error, never a 500 later)."""
    if kind not in CONTEXT_KINDS or context.get("kind") != CONTEXT_KINDS[kind]:
        raise ExchangeError(f"{where}: loại văn bản trong dữ liệu không hợp lệ.")
    _check_profile(context.get("profile"), where)
    if context.get("bases_style") not in Plan.BasesStyle.values:
        raise ExchangeError(f"{where}: kiểu căn cứ không hợp lệ.")
    extra = context.get("extra") if isinstance(context.get("extra"), dict) else {}
    for part in ("bases", "preamble", "body", "closing", "after_table"):
        blocks = (extra if part == "after_table" else context).get(part) or []
        for block in blocks if isinstance(blocks, list) else [None]:
            block = block if isinstance(block, dict) else {}
            kind, level = block.get("kind"), block.get("level", 0)
            if kind not in BLOCK_KINDS or not isinstance(level, int) or not 0 <= level <= 9:
                raise ExchangeError(f"{where}: đoạn văn bản ({part}) không hợp lệ.")
    try:
        render_html(PlanDocContext.from_dict(context))
    except (TypeError, ValueError, KeyError, AttributeError, TemplateSyntaxError) as exc:
        raise ExchangeError(f"{where}: dữ liệu văn bản không in được ({exc}).") from None
