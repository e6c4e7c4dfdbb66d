"""What units submit in a reporting round and how the bloc verifies it (DOMAIN §2.3, §6.2):

    Submission (a unit's report in a round; with the self-scoring sheet when the round has one)
      Entry   one line of the sheet per leaf criterion of the template version the unit signed
      Review  a reviewer layer's score and comment on one line
      Attachment  report file, attachments, evidence of a line (private storage, sha256)

Score sheet state machine (per unit, per round):

    DRAFT → SUBMITTED (unit locked; late flag if after the due date)
    SUBMITTED → IN_REVIEW (layer k) → RETURNED (reason) → DRAFT … → SUBMITTED
    IN_REVIEW (last layer done) → REVIEWED → FINAL (agreed at the meeting; immutable)
    FINAL → IN_REVIEW (reopened by the secretariat, with a reason)
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q

from blocs.models import Bloc, Unit
from scoring.models.templates import POINTS, Criterion, Round, Template


class PrivateStorage(FileSystemStorage):
    """Evidence and reports live outside the web root (PRIVATE_FILES_ROOT, read at each use) and
    are served only through the gate: no URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_FILES_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage() -> PrivateStorage:
    """The storage of uploaded submission files (a callable, so migrations name no path)."""
    return PrivateStorage()


class ReviewSetup(models.Model):
    """How a bloc-year verifies sheets (DOMAIN §9.3): head + deputy by default, or members
    cross-score by assignment before the head confirms, or the head alone."""

    class Mode(models.TextChoices):
        HEAD_DEPUTY = "head_deputy", "Phó khối kiểm tra, Trưởng khối thẩm định"
        CROSS = "cross", "Chấm chéo theo phân công, Trưởng khối thẩm định"
        HEAD_ONLY = "head_only", "Trưởng khối thẩm định"

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="+", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    mode = models.CharField(
        "cách thẩm định", max_length=15, choices=Mode.choices, default=Mode.HEAD_DEPUTY
    )

    class Meta:
        verbose_name = "cách thẩm định bảng điểm"
        verbose_name_plural = "cách thẩm định bảng điểm"
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="one_review_setup_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} ({self.year})"


class CrossAssignment(models.Model):
    """Chấm chéo: `reviewer` unit verifies `reviewed` unit's sheets of the year."""

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="+", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    reviewer = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị chấm"
    )
    reviewed = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị được chấm"
    )

    class Meta:
        ordering = ["bloc", "year", "reviewed__name"]
        verbose_name = "phân công chấm chéo"
        verbose_name_plural = "phân công chấm chéo"
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year", "reviewed"],
                name="one_cross_reviewer_per_unit",
                violation_error_message="Đơn vị này đã được phân công đơn vị chấm chéo.",
            ),
            models.CheckConstraint(
                condition=~Q(reviewer=models.F("reviewed")),
                name="cross_reviewer_not_self",
                violation_error_message="Đơn vị không tự chấm chéo cho mình.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} chấm {self.reviewed} ({self.year})"


class Submission(models.Model):
    """A unit's report in a round (written or uploaded, with attachments) and, when the round
    asks for one, its self-scoring sheet (the entries). Totals are computed, never typed in;
    the stored totals are what the last write computed (for boards and rankings)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang soạn"
        SUBMITTED = "submitted", "Đã nộp"
        IN_REVIEW = "in_review", "Đang thẩm định"
        RETURNED = "returned", "Bị trả lại"
        REVIEWED = "reviewed", "Đã thẩm định"
        FINAL = "final", "Đã thống nhất (chốt)"

    EDITABLE = {Status.DRAFT, Status.RETURNED}
    REVIEWABLE = {Status.SUBMITTED, Status.IN_REVIEW}

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="submissions", verbose_name="kỳ báo cáo"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="submissions", verbose_name="đơn vị"
    )
    template = models.ForeignKey(
        Template,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name="thang điểm áp dụng",
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    layer = models.PositiveSmallIntegerField("lớp thẩm định hiện tại", default=0)
    body = models.TextField("nội dung báo cáo", blank=True, max_length=200_000)
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    first_submitted_at = models.DateTimeField("nộp lần đầu lúc", null=True, blank=True)
    late = models.BooleanField("nộp muộn", default=False)
    late_penalty = models.DecimalField("điểm trừ nộp muộn", default=0, **POINTS)
    returned_reason = models.TextField("lý do trả lại", blank=True, max_length=4000)
    reopened_reason = models.TextField("lý do mở lại", blank=True, max_length=4000)
    final_note = models.TextField("ghi chú khi chốt", blank=True, max_length=4000)
    finalized_at = models.DateTimeField("chốt lúc", null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người chốt",
    )
    self_total = models.DecimalField("tổng tự chấm", null=True, blank=True, **POINTS)
    reviewed_total = models.DecimalField("tổng sau thẩm định", null=True, blank=True, **POINTS)
    final_total = models.DecimalField("tổng điểm chốt", null=True, blank=True, **POINTS)
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["round", "unit__name"]
        verbose_name = "báo cáo của đơn vị"
        verbose_name_plural = "báo cáo của đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"],
                name="one_submission_per_unit_round",
                violation_error_message="Đơn vị đã có báo cáo trong kỳ này.",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(returned_reason=""),
                name="returned_submission_has_reason",
                violation_error_message="Trả lại báo cáo phải nêu lý do.",
            ),
            models.CheckConstraint(
                condition=Q(late_penalty__gte=0),
                name="submission_late_penalty_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round.name} {self.round.year} – {self.unit}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def has_sheet(self) -> bool:
        return self.template_id is not None


class Entry(models.Model):
    """One line of a sheet: what the unit entered for a leaf criterion and the score it gives.
    `value` is the graded score, the quantitative actual, or the count (per occurrence, bonus,
    deduction); `passed` answers a pass/fail line. `final_score` is set when the sheet is final."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="entries", verbose_name="báo cáo"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="entries", verbose_name="tiêu chí"
    )
    value = models.DecimalField(
        "giá trị nhập", null=True, blank=True, max_digits=14, decimal_places=2
    )
    passed = models.BooleanField("đạt", null=True, blank=True)
    self_score = models.DecimalField("điểm tự chấm", null=True, blank=True, **POINTS)
    explanation = models.TextField("giải trình", blank=True, max_length=4000)
    final_score = models.DecimalField("điểm chốt", null=True, blank=True, **POINTS)
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)

    class Meta:
        ordering = ["submission", "criterion__order", "criterion_id"]
        verbose_name = "dòng bảng tự chấm"
        verbose_name_plural = "dòng bảng tự chấm"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "criterion"], name="one_entry_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.self_score}"


class Review(models.Model):
    """A reviewer layer's verdict on one line: its score and comment (DOMAIN §2.3)."""

    class Layer(models.TextChoices):
        DEPUTY = "deputy", "Phó khối kiểm tra"
        CROSS = "cross", "Chấm chéo"
        HEAD = "head", "Trưởng khối thẩm định"

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="reviews", verbose_name="dòng"
    )
    layer = models.CharField("lớp thẩm định", max_length=10, choices=Layer.choices)
    score = models.DecimalField("điểm thẩm định", **POINTS)
    comment = models.TextField("nhận xét", blank=True, max_length=4000)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người thẩm định",
    )
    reviewer_unit = models.ForeignKey(
        Unit, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="đơn vị"
    )
    at = models.DateTimeField("lúc", auto_now=True)
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)

    class Meta:
        ordering = ["entry", "id"]
        verbose_name = "thẩm định dòng"
        verbose_name_plural = "thẩm định dòng"
        constraints = [
            models.UniqueConstraint(fields=["entry", "layer"], name="one_review_per_layer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_layer_display()}: {self.score}"


class Attachment(models.Model):
    """A file a unit sent: its report (PDF/DOCX), an attachment, or a line's evidence. Stored
    under PRIVATE_FILES_ROOT with its sha256; downloads go through the gate only."""

    class Purpose(models.TextChoices):
        REPORT = "report", "Báo cáo (tệp)"
        ATTACHMENT = "attachment", "Tài liệu kèm theo"
        EVIDENCE = "evidence", "Minh chứng"

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="files", verbose_name="báo cáo"
    )
    entry = models.ForeignKey(
        Entry,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name="dòng",
    )
    purpose = models.CharField("loại tệp", max_length=12, choices=Purpose.choices)
    name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("kiểu tệp", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField("mã băm SHA-256", max_length=64)
    file = models.FileField(
        "tệp", storage=private_storage, upload_to="submissions/%Y/", max_length=255
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tải lên",
    )
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    class Meta:
        ordering = ["submission", "purpose", "id"]
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="evidence") | Q(entry__isnull=False),
                name="evidence_belongs_to_a_line",
            ),
        ]

    def __str__(self) -> str:
        return self.name
