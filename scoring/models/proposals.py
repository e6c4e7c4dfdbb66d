"""The dossier (hồ sơ đề nghị khen thưởng): one submission of a bloc-year's proposals to the
province. Submitting is all at once: every drafted proposal goes in the same dossier, and the
tờ trình issued with it (reports, symbol "TTr") lists them. A proposal returned for supplement and
corrected goes in a later dossier; each dossier keeps the proposals it carried."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from blocs.models import Bloc
from scoring.models.ranking import Proposal, Ranking


class Dossier(models.Model):
    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="+", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    ranking = models.ForeignKey(
        Ranking, on_delete=models.PROTECT, related_name="dossiers", verbose_name="kết quả xếp hạng"
    )
    seq = models.PositiveSmallIntegerField("lần trình")
    date = models.DateField("ngày tờ trình")
    number = models.PositiveIntegerField("số tờ trình", null=True, blank=True, editable=False)
    proposals = models.ManyToManyField(
        Proposal, related_name="dossiers", verbose_name="các đề nghị"
    )
    submitted_at = models.DateTimeField("trình lúc")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người trình",
    )

    class Meta:
        ordering = ["bloc", "year", "seq"]
        verbose_name = "hồ sơ đề nghị khen thưởng"
        verbose_name_plural = "hồ sơ đề nghị khen thưởng"
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year", "seq"], name="one_dossier_per_seq")
        ]

    def __str__(self) -> str:
        return f"Hồ sơ đề nghị khen thưởng {self.year} (lần {self.seq}) – {self.bloc}"
