"""Issued (frozen) documents: the context, PDF and DOCX as they were on the day of issue.

Never regenerated from live rows and never deleted; a correction is a new document that
supersedes the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from blocs.models import Bloc
from plans.models import Plan


class IssuedDocument(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "Kế hoạch"

    kind = models.CharField("loại văn bản", max_length=20, choices=Kind.choices)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="issued_documents"
    )
    bloc = models.ForeignKey(Bloc, on_delete=models.PROTECT, related_name="issued_documents")
    year = models.PositiveSmallIntegerField("năm")
    number_text = models.CharField("số, ký hiệu", max_length=120)
    title = models.TextField("trích yếu")
    context = models.JSONField("dữ liệu văn bản")
    pdf = models.BinaryField("bản PDF")
    pdf_sha256 = models.CharField(max_length=64)
    docx = models.BinaryField("bản Word")
    issued_at = models.DateTimeField("thời điểm lưu")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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
        ]

    def __str__(self) -> str:
        return f"{self.number_text} – {self.title[:60]}"
