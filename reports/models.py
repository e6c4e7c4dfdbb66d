"""Issued (frozen) documents: the context, PDF and DOCX as they were on the day of issue.

Never regenerated from live rows and never deleted; a correction is a new document that
supersedes the old one. Also the number registers, the bloc's compiled BÁO CÁO, and the print
jobs of large drafts (RenderJob).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from blocs.models import Bloc, Unit
from plans.models import Plan


class IssuedDocument(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "Kế hoạch"
        GIAO_UOC = "giao_uoc", "Giao ước thi đua"
        BAO_CAO = "bao_cao", "Báo cáo"
        MINUTES = "bien_ban", "Biên bản họp bình xét"
        TO_TRINH = "to_trinh", "Tờ trình đề nghị khen thưởng"

    kind = models.CharField("loại văn bản", max_length=20, choices=Kind.choices)
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
        verbose_name="kế hoạch",
    )
    signing = models.ForeignKey(
        "scoring.SigningMeeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
        verbose_name="ký kết giao ước",
    )
    compiled_report = models.ForeignKey(
        "reports.CompiledReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
        verbose_name="báo cáo tổng hợp",
    )
    meeting = models.ForeignKey(
        "scoring.Meeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
        verbose_name="hội nghị bình xét",
    )
    dossier = models.ForeignKey(
        "scoring.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
        verbose_name="hồ sơ đề nghị khen thưởng",
    )
    bloc = models.ForeignKey(
        Bloc,
        on_delete=models.PROTECT,
        related_name="issued_documents",
        verbose_name="khối thi đua",
    )
    year = models.PositiveSmallIntegerField("năm")
    number_text = models.CharField("số, ký hiệu", max_length=120)
    title = models.TextField("trích yếu")
    context = models.JSONField("dữ liệu văn bản")
    pdf = models.BinaryField("bản PDF")
    pdf_sha256 = models.CharField("mã kiểm tra PDF (sha256)", max_length=64)
    docx = models.BinaryField("bản Word")
    issued_at = models.DateTimeField("thời điểm lưu")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người ban hành",
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name="thay thế văn bản",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = "văn bản đã ban hành"
        verbose_name_plural = "văn bản đã ban hành"
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(plan__isnull=False),
                name="one_issued_document_per_plan",
                violation_error_message="Văn bản của kế hoạch này đã được lưu.",
            ),
            models.UniqueConstraint(
                fields=["signing"],
                condition=Q(signing__isnull=False),
                name="one_issued_document_per_signing",
                violation_error_message="Giao ước của lần ký kết này đã được ban hành.",
            ),
            models.UniqueConstraint(
                fields=["compiled_report"],
                condition=Q(compiled_report__isnull=False),
                name="one_issued_document_per_compiled_report",
                violation_error_message="Báo cáo này đã được ban hành.",
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(meeting__isnull=False),
                name="one_issued_minutes_per_meeting",
                violation_error_message="Biên bản của hội nghị này đã được ban hành.",
            ),
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(dossier__isnull=False),
                name="one_issued_document_per_dossier",
                violation_error_message="Tờ trình của hồ sơ này đã được ban hành.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number_text} – {self.title[:60]}"


class CompiledReport(models.Model):
    """The bloc's own BÁO CÁO of a reporting round (sơ kết 6 tháng, tổng kết năm) to the provincial
    TĐKT body: the members' submissions are read live (which came, on time or late, which are
    missing, the sheet totals); the secretariat writes the assessment (`body`). Issuing numbers it
    in the bloc's register ("BC") and freezes it (IssuedDocument); the text is then final."""

    round = models.OneToOneField(
        "scoring.Round",
        on_delete=models.PROTECT,
        related_name="compiled_report",
        verbose_name="kỳ báo cáo",
    )
    body = models.TextField("nội dung đánh giá", blank=True, max_length=100_000)
    number = models.PositiveIntegerField("số văn bản", null=True, blank=True)
    issue_date = models.DateField("ngày ban hành", null=True, blank=True)
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "báo cáo tổng hợp của khối"
        verbose_name_plural = "báo cáo tổng hợp của khối"

    def __str__(self) -> str:
        return f"Báo cáo {self.round}"

    @property
    def is_issued(self) -> bool:
        return self.number is not None


class NumberRegister(models.Model):
    """The issuing body's number book (sổ đăng ký văn bản) for one document type and period.

    The issuing body is a bloc today; a unit can issue in its own name later (exactly one is
    set). The period follows the body's policy (reports.registers.period_for): the year for
    state bodies, the Party term ("2020-2025") when the format profile numbers per term.
    """

    bloc = models.ForeignKey(
        Bloc,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="number_registers",
        verbose_name="khối thi đua ban hành",
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="number_registers",
        verbose_name="đơn vị ban hành",
    )
    doc_type = models.CharField("ký hiệu loại văn bản", max_length=10)
    period = models.CharField("kỳ đánh số", max_length=20, help_text="Năm, hoặc nhiệm kỳ 2020-2025")
    last_number = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        ordering = ["doc_type", "period", "id"]
        verbose_name = "sổ đăng ký văn bản"
        verbose_name_plural = "sổ đăng ký văn bản"
        constraints = [
            models.CheckConstraint(
                condition=Q(bloc__isnull=False, unit__isnull=True)
                | Q(bloc__isnull=True, unit__isnull=False),
                name="register_has_one_issuer",
                violation_error_message="Sổ đăng ký thuộc đúng một cơ quan ban hành.",
            ),
            models.UniqueConstraint(
                fields=["bloc", "doc_type", "period"],
                condition=Q(bloc__isnull=False),
                name="register_unique_for_bloc",
                violation_error_message="Khối đã có sổ đăng ký cho loại văn bản và kỳ này.",
            ),
            models.UniqueConstraint(
                fields=["unit", "doc_type", "period"],
                condition=Q(unit__isnull=False),
                name="register_unique_for_unit",
                violation_error_message="Đơn vị đã có sổ đăng ký cho loại văn bản và kỳ này.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc or self.unit} – {self.doc_type} {self.period}: {self.last_number}"


class RegisterEntry(models.Model):
    """One number taken from a register, and the issued document that carries it."""

    register = models.ForeignKey(
        NumberRegister,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name="sổ đăng ký",
    )
    number = models.PositiveIntegerField("số")
    issued_on = models.DateField("ngày ban hành")
    document = models.OneToOneField(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="register_entry",
        verbose_name="văn bản",
    )

    class Meta:
        ordering = ["register", "number"]
        verbose_name = "số đã cấp"
        verbose_name_plural = "số đã cấp"
        constraints = [
            models.UniqueConstraint(
                fields=["register", "number"],
                name="register_entry_number_unique",
                violation_error_message="Số này đã được cấp trong sổ đăng ký.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="register_entry_number_positive",
                violation_error_message="Số văn bản phải lớn hơn 0.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number:02d} ({self.register.doc_type} {self.register.period})"


class RenderJob(models.Model):
    """A file made by the task worker (reports/jobs.py): a large draft document's PDF, or the
    bloc-year data file (JSON, docs/export.md). Who asked, from which download address (its
    gate is checked again before the file is served), the print HTML and its sha256 (a PDF),
    the progress, and the file once done. A cache, not a record: the bytes can always be made
    again from the rows, so jobs are pruned after a few days and are not in the bloc-year
    file."""

    class Kind(models.TextChoices):
        PDF = "pdf", "In văn bản (PDF)"
        YEAR_DATA = "year_data", "Dữ liệu năm (JSON)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ in"
        RUNNING = "running", "Đang in"
        DONE = "done", "Đã in xong"
        FAILED = "failed", "Không in được"

    id = models.UUIDField("mã việc in", primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="render_jobs",
        verbose_name="người yêu cầu",
    )
    bloc = models.ForeignKey(
        Bloc, on_delete=models.CASCADE, related_name="render_jobs", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    kind = models.CharField("loại việc", max_length=10, choices=Kind.choices, default=Kind.PDF)
    source_path = models.CharField("địa chỉ tải văn bản", max_length=500)
    title = models.CharField("tên văn bản", max_length=300)
    filename = models.CharField("tên tệp", max_length=200)
    html = models.TextField("bản HTML để in", blank=True)
    content_sha256 = models.CharField("mã nội dung (sha256 của HTML)", max_length=64, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    pages_estimate = models.PositiveIntegerField("số trang (phần dữ liệu) ước tính", default=1)
    seconds_estimate = models.FloatField("thời gian in ước tính (giây)", default=0)
    pages_done = models.PositiveIntegerField("số trang đã dàn (phần đã tổng hợp)", default=0)
    body = models.BinaryField("tệp đã làm xong (PDF hoặc JSON)", null=True, blank=True)
    error = models.TextField("lỗi", blank=True)
    task_id = models.CharField("mã tác vụ trong hàng đợi", max_length=64, blank=True)
    created_at = models.DateTimeField("yêu cầu lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu in lúc", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "việc in văn bản"
        verbose_name_plural = "việc in văn bản"
        indexes = [
            models.Index(fields=["content_sha256", "status"], name="render_job_content"),
            models.Index(fields=["status", "created_at"], name="render_job_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_year_data(self) -> bool:
        """The bloc-year data file (JSON), not a document's PDF."""
        return self.kind == self.Kind.YEAR_DATA
