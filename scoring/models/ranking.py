"""Bình xét, xếp hạng and suy tôn of a bloc-year (DOMAIN §1.4, §1.5, §6.3, §9):

    YearRules       the bloc-year's configurable rules: registration gate, vote threshold, quotas
    ComplianceFlag  a unit's compliance flag for the year (discipline, inspection, another agency)
    Ranking         the ranking of the bloc-year (COMPUTED → ADOPTED, frozen), its rows
    Meeting         the bình xét meeting (date, place, attendance, chair, secretary)
    Proposal        an award proposal (drafted → submitted → returned / rejected / approved → decided)

Every quota and threshold carries its legal basis text (DOMAIN §9.8).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from blocs.models import Bloc, Province, Unit
from scoring.models.templates import POINTS, Round, Title

PCT = {"max_digits": 5, "decimal_places": 2}


class YearRules(models.Model):
    """What a bloc-year decides for itself (defaults of DOMAIN §9.4)."""

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="+", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    registration_required = models.BooleanField("phải đăng ký thi đua mới được xét", default=True)
    vote_threshold_pct = models.DecimalField(
        "tỷ lệ tán thành tối thiểu (%)", default=Decimal("80"), **PCT
    )
    vote_threshold_basis = models.CharField(
        "căn cứ tỷ lệ tán thành",
        max_length=255,
        default="Khoản 7 Điều 30 Nghị định số 98/2023/NĐ-CP (áp dụng tương tự)",
    )
    co_tinh_quota = models.PositiveSmallIntegerField("số Cờ thi đua UBND tỉnh", default=1)
    co_tinh_basis = models.CharField(
        "căn cứ số Cờ thi đua",
        max_length=255,
        default="Điều 26 Luật Thi đua, khen thưởng năm 2022: tập thể dẫn đầu cụm, khối",
    )
    bang_khen_pct = models.DecimalField(
        "Bằng khen tối đa (% số đơn vị còn lại)", default=Decimal("50"), **PCT
    )
    bang_khen_basis = models.CharField(
        "căn cứ tỷ lệ Bằng khen", max_length=255, default="Quy chế hoạt động của Khối (mặc định)"
    )

    class Meta:
        verbose_name = "quy định xét thi đua năm"
        verbose_name_plural = "quy định xét thi đua năm"
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="one_year_rules_per_bloc_year"),
            models.CheckConstraint(
                condition=Q(vote_threshold_pct__gte=0) & Q(vote_threshold_pct__lte=100),
                name="year_rules_vote_pct_range",
                violation_error_message="Tỷ lệ tán thành phải từ 0 đến 100 %.",
            ),
            models.CheckConstraint(
                condition=Q(bang_khen_pct__gte=0) & Q(bang_khen_pct__lte=100),
                name="year_rules_bk_pct_range",
                violation_error_message="Tỷ lệ Bằng khen phải từ 0 đến 100 %.",
            ),
        ]

    def __str__(self) -> str:
        return f"Quy định xét thi đua {self.year} – {self.bloc}"


class ComplianceFlag(models.Model):
    """A fact that bars (or costs) a unit's award in a year: discipline, inspection,
    investigation, an unresolved complaint, a violation reported by another agency (police, tax,
    Thanh tra) — NĐ 152 Art. 4; Bắc Ninh QĐ 86/2025 Art. 10."""

    class Kind(models.TextChoices):
        DISCIPLINE = "discipline", "Kỷ luật"
        INSPECTION = "inspection", "Đang thanh tra, kiểm tra"
        INVESTIGATION = "investigation", "Đang điều tra"
        COMPLAINT = "complaint", "Khiếu nại, tố cáo chưa giải quyết xong"
        VIOLATION = "violation", "Vi phạm do cơ quan khác thông báo"

    class Effect(models.TextChoices):
        VETO_ALL = "veto_all", "Không xét mọi hình thức khen thưởng"
        VETO_CO = "veto_co", "Không xét Cờ thi đua"
        DEDUCT = "deduct", "Trừ điểm"

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="+", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="compliance_flags", verbose_name="đơn vị"
    )
    kind = models.CharField("loại", max_length=15, choices=Kind.choices)
    source = models.CharField(
        "cơ quan thông báo", max_length=200, help_text="Ví dụ: Công an tỉnh, Cục Thuế, Thanh tra"
    )
    effect = models.CharField("hệ quả", max_length=10, choices=Effect.choices)
    points = models.DecimalField("số điểm trừ", null=True, blank=True, **POINTS)
    note = models.TextField("nội dung", max_length=4000)
    cleared_on = models.DateField(
        "đã giải quyết ngày", null=True, blank=True, help_text="Hết hiệu lực từ ngày này"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người ghi nhận",
    )
    created_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)

    class Meta:
        ordering = ["bloc", "year", "unit__name", "id"]
        verbose_name = "thông tin chấp hành"
        verbose_name_plural = "thông tin chấp hành"
        constraints = [
            models.CheckConstraint(
                condition=~Q(effect="deduct") | Q(points__gt=0),
                name="deduct_flag_has_points",
                violation_error_message="Trừ điểm phải nêu số điểm trừ.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_kind_display()} ({self.source})"


class Meeting(models.Model):
    """The bình xét meeting of a bloc-year (usually the tổng kết meeting)."""

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="+", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    date = models.DateField("ngày họp")
    place = models.CharField("địa điểm", max_length=255)
    chair = models.CharField("chủ trì", max_length=255)
    secretary = models.CharField("thư ký", max_length=255)
    attending = models.ManyToManyField(Unit, related_name="+", verbose_name="đơn vị dự họp")
    note = models.TextField("diễn biến, ý kiến", blank=True, max_length=20000)
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)

    class Meta:
        verbose_name = "hội nghị bình xét"
        verbose_name_plural = "hội nghị bình xét"
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="one_meeting_per_bloc_year")
        ]

    def __str__(self) -> str:
        return f"Hội nghị bình xét {self.year} – {self.bloc}"


class Vote(models.Model):
    """For / against / of how many voters; abstract so rankings and proposals carry their own."""

    vote_for = models.PositiveSmallIntegerField("tán thành", null=True, blank=True)
    vote_against = models.PositiveSmallIntegerField("không tán thành", null=True, blank=True)
    vote_total = models.PositiveSmallIntegerField("tổng số biểu quyết", null=True, blank=True)

    class Meta:
        abstract = True


class Ranking(Vote):
    """The ranking of a bloc-year from the final sheets of its tổng kết round. Recomputed
    freely while COMPUTED; ADOPTED at the meeting freezes it (rows never change again)."""

    class Status(models.TextChoices):
        COMPUTED = "computed", "Đã tính, chờ hội nghị"
        ADOPTED = "adopted", "Đã thông qua"

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="+", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="+", verbose_name="kỳ báo cáo"
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.COMPUTED
    )
    method = models.CharField("phương pháp", max_length=40, default="v1")
    tie_break = models.JSONField("thứ tự xét khi bằng điểm", default=list)
    computed_at = models.DateTimeField("tính lúc")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, verbose_name="hội nghị"
    )
    adopted_at = models.DateTimeField("thông qua lúc", null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người thông qua",
    )
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)

    class Meta:
        verbose_name = "kết quả xếp hạng"
        verbose_name_plural = "kết quả xếp hạng"
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="one_ranking_per_bloc_year")
        ]

    def __str__(self) -> str:
        return f"Xếp hạng {self.year} – {self.bloc}"


class RankingRow(models.Model):
    """One unit in the ranking: its total, group subtotals, rank, band, eligibility with the
    reasons, and the trace of how its ties were broken (kept for transparency when ineligible)."""

    ranking = models.ForeignKey(
        Ranking, on_delete=models.CASCADE, related_name="rows", verbose_name="kết quả xếp hạng"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị"
    )
    position = models.PositiveSmallIntegerField("thứ tự")
    rank = models.PositiveSmallIntegerField("hạng")
    total = models.DecimalField("tổng điểm", **POINTS)
    subtotals = models.JSONField("điểm theo nhóm", default=dict)
    bonus = models.DecimalField("điểm thưởng", default=0, **POINTS)
    penalty = models.DecimalField("điểm trừ", default=0, **POINTS)
    band = models.CharField("xếp loại", max_length=100, blank=True)
    eligible = models.BooleanField("đủ điều kiện", default=True)
    eligible_for_co = models.BooleanField("đủ điều kiện xét Cờ", default=True)
    reasons = models.JSONField("lý do không đủ điều kiện", default=list)
    trace = models.JSONField("cách phân định khi bằng điểm", default=list)
    partial_year = models.BooleanField("tham gia không trọn năm", default=False)
    tie_vote = models.PositiveSmallIntegerField("phiếu khi bằng điểm", null=True, blank=True)

    class Meta:
        ordering = ["ranking", "position"]
        verbose_name = "dòng xếp hạng"
        verbose_name_plural = "dòng xếp hạng"
        constraints = [
            models.UniqueConstraint(fields=["ranking", "unit"], name="one_row_per_unit_ranking")
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.unit} ({self.total})"


class Proposal(Vote):
    """An award proposal of the bloc for a unit (suy tôn, đề nghị khen thưởng)."""

    class Status(models.TextChoices):
        DRAFTED = "drafted", "Dự kiến"
        SUBMITTED = "submitted", "Đã trình tỉnh"
        RETURNED = "returned", "Trả lại để bổ sung"
        REJECTED = "rejected", "Không chấp thuận"
        APPROVED = "approved", "Đã chấp thuận"
        DECIDED = "decided", "Đã có quyết định"

    AWARDS = [Title.CO_CP, Title.CO_TINH, Title.BK_TINH_TT, Title.BK_TTG_TT, Title.TTLDXS]

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="+", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    ranking = models.ForeignKey(
        Ranking,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name="kết quả xếp hạng",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị"
    )
    award = models.CharField("hình thức khen thưởng", max_length=20, choices=Title.choices)
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFTED
    )
    rank = models.PositiveSmallIntegerField("hạng")
    total = models.DecimalField("tổng điểm", **POINTS)
    achievements = models.TextField("thành tích nổi bật", blank=True, max_length=20000)
    returned_reason = models.TextField("lý do trả lại / không chấp thuận", blank=True)
    decision_number = models.CharField("số quyết định", max_length=50, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    decision_issuer = models.CharField("cơ quan quyết định", max_length=255, blank=True)
    reward_amount = models.DecimalField(
        "tiền thưởng (đồng)", null=True, blank=True, max_digits=14, decimal_places=0
    )
    submitted_at = models.DateTimeField("trình lúc", null=True, blank=True)
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)

    class Meta:
        ordering = ["bloc", "year", "rank", "award"]
        verbose_name = "đề nghị khen thưởng"
        verbose_name_plural = "đề nghị khen thưởng"
        constraints = [
            models.UniqueConstraint(
                fields=["ranking", "unit", "award"],
                name="one_proposal_per_unit_award",
                violation_error_message="Đơn vị đã được đề nghị hình thức này.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["returned", "rejected"]) | ~Q(returned_reason=""),
                name="returned_proposal_has_reason",
                violation_error_message="Trả lại hoặc không chấp thuận phải nêu lý do.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_award_display()} – {self.unit} ({self.year})"


class ProvinceRules(models.Model):
    """Province-wide rules: the Cờ thi đua Chính phủ candidates at most `co_cp_pct` % of the
    blocs' leaders (CV 5007/BNV-TĐKT 2023), and the base salary for reward amounts."""

    province = models.OneToOneField(
        Province, on_delete=models.CASCADE, related_name="rules", verbose_name="tỉnh"
    )
    co_cp_pct = models.DecimalField(
        "Cờ thi đua Chính phủ tối đa (% số đơn vị dẫn đầu)", default=Decimal("20"), **PCT
    )
    co_cp_basis = models.CharField(
        "căn cứ", max_length=255, default="Công văn số 5007/BNV-TĐKT năm 2023 của Bộ Nội vụ"
    )
    base_salary = models.DecimalField(
        "mức lương cơ sở (đồng)", default=Decimal("2340000"), max_digits=12, decimal_places=0
    )
    base_salary_basis = models.CharField(
        "căn cứ lương cơ sở", max_length=255, default="Nghị định số 73/2024/NĐ-CP, từ 01/7/2024"
    )

    class Meta:
        verbose_name = "quy định khen thưởng của tỉnh"
        verbose_name_plural = "quy định khen thưởng của tỉnh"

    def __str__(self) -> str:
        return f"Quy định khen thưởng – {self.province}"
