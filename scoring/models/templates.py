"""Criteria templates (thang bảng điểm) of a bloc-year and the units' registrations (đăng ký,
giao ước thi đua): DOMAIN §2.2 and §6. Points are Decimal; the maths lives in scoring.calc."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from blocs.models import Bloc, Unit

POINTS = {"max_digits": 8, "decimal_places": 2}


class TieBreak(models.TextChoices):
    """Ordered tie-breakers of the ranking (DOMAIN §6.3, default order §9.5)."""

    GROUP_I = "group_i", "Điểm nhóm tiêu chí thứ nhất cao hơn"
    FEWER_PENALTY = "fewer_penalty", "Ít điểm trừ hơn"
    MORE_BONUS = "more_bonus", "Nhiều điểm thưởng hơn"
    MORE_FULL_MARKS = "more_full_marks", "Nhiều tiêu chí đạt điểm tối đa hơn"
    VOTE = "vote", "Kết quả biểu quyết tại hội nghị"


DEFAULT_TIE_BREAK = [
    TieBreak.GROUP_I,
    TieBreak.FEWER_PENALTY,
    TieBreak.MORE_BONUS,
    TieBreak.MORE_FULL_MARKS,
    TieBreak.VOTE,
]


def default_tie_break() -> list[str]:
    return [str(t) for t in DEFAULT_TIE_BREAK]


class Template(models.Model):
    """The scoring scale of a bloc-year. Version 1 is agreed at the giao ước meeting and locked
    there; a later change is a new version that applies from a date (later periods only)."""

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="score_templates", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    version = models.PositiveSmallIntegerField("phiên bản", default=1)
    title = models.CharField("tên thang điểm", max_length=255, blank=True)
    max_total = models.DecimalField("tổng điểm tối đa", default=Decimal("100"), **POINTS)
    bonus_cap = models.DecimalField(
        "điểm thưởng tối đa", null=True, blank=True, default=Decimal("5"), **POINTS
    )
    penalty_cap = models.DecimalField(
        "điểm trừ tối đa", null=True, blank=True, help_text="Để trống: không giới hạn", **POINTS
    )
    allow_exceed_max = models.BooleanField("cho phép tổng điểm vượt điểm tối đa", default=False)
    allow_children_over = models.BooleanField(
        "cho phép tổng tiêu chí con vượt điểm tiêu chí cha",
        default=False,
        help_text="Khi bật, điểm tiêu chí cha là mức trần của các tiêu chí con.",
    )
    late_penalty = models.DecimalField(
        "điểm trừ mỗi báo cáo nộp muộn", default=Decimal("0"), **POINTS
    )
    tie_break = models.JSONField("thứ tự xét khi bằng điểm", default=default_tie_break)
    applies_from = models.DateField(
        "áp dụng từ ngày", null=True, blank=True, help_text="Phiên bản sau áp dụng cho kỳ sau"
    )
    change_note = models.TextField("lý do thay đổi", blank=True)
    locked_at = models.DateTimeField("đã chốt lúc", null=True, blank=True)
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["bloc", "-year", "-version"]
        verbose_name = "thang điểm"
        verbose_name_plural = "thang điểm"
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year", "version"],
                name="template_version_unique",
                violation_error_message="Khối đã có phiên bản thang điểm này trong năm.",
            ),
            models.CheckConstraint(
                condition=Q(max_total__gt=0),
                name="template_max_total_positive",
                violation_error_message="Tổng điểm tối đa phải lớn hơn 0.",
            ),
            models.CheckConstraint(
                condition=Q(bonus_cap__isnull=True)
                | (Q(bonus_cap__gte=0) & Q(bonus_cap__lte=F("max_total"))),
                name="template_bonus_cap_range",
                violation_error_message="Điểm thưởng tối đa phải từ 0 đến tổng điểm tối đa.",
            ),
            models.CheckConstraint(
                condition=Q(penalty_cap__isnull=True) | Q(penalty_cap__gte=0),
                name="template_penalty_cap_positive",
                violation_error_message="Điểm trừ tối đa không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(late_penalty__gte=0),
                name="template_late_penalty_positive",
                violation_error_message="Điểm trừ nộp muộn không được âm.",
            ),
        ]

    def __str__(self) -> str:
        return f"Thang điểm {self.year} (phiên bản {self.version}) – {self.bloc}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Criterion(models.Model):
    """One node of the criteria tree: a group (sums its children) or a leaf of one kind."""

    class Kind(models.TextChoices):
        GROUP = "group", "Nhóm tiêu chí"
        GRADED = "graded", "Chấm theo mức (0 đến tối đa)"
        PASS_FAIL = "pass_fail", "Đạt / không đạt"
        QUANTITATIVE = "quantitative", "Định lượng (chỉ tiêu – thực hiện)"
        PER_OCCURRENCE = "per_occurrence", "Theo số lần (điểm × số lần)"
        DEDUCTION = "deduction", "Điểm trừ"
        BONUS = "bonus", "Điểm thưởng"

    class Formula(models.TextChoices):
        RATIO = "ratio", "Tỷ lệ thực hiện/chỉ tiêu (tối đa khi đạt 100 %)"
        LEADER = "leader", "Đạt chỉ tiêu = 50 %, dẫn đầu = tối đa (ví dụ D)"

    class Source(models.TextChoices):
        SELF = "self", "Đơn vị tự chấm"
        OTHER_AGENCY = "other_agency", "Cơ quan khác cung cấp"

    template = models.ForeignKey(
        Template, on_delete=models.CASCADE, related_name="criteria", verbose_name="thang điểm"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name="thuộc nhóm",
    )
    order = models.PositiveIntegerField("thứ tự", default=0)
    code = models.CharField("mã", max_length=20)
    content = models.TextField("nội dung", max_length=2000)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices, default=Kind.GRADED)
    max_points = models.DecimalField("điểm tối đa", **POINTS)
    guidance = models.TextField("hướng dẫn chấm", blank=True, max_length=4000)
    evidence_required = models.BooleanField("bắt buộc minh chứng", default=False)
    step = models.DecimalField(
        "bước điểm", null=True, blank=True, help_text="Ví dụ 0,25 hoặc 0,5", **POINTS
    )
    points_per = models.DecimalField(
        "điểm mỗi lần",
        null=True,
        blank=True,
        help_text="Theo số lần, điểm trừ, điểm thưởng",
        **POINTS,
    )
    formula = models.CharField(
        "công thức", max_length=10, choices=Formula.choices, blank=True, default=""
    )
    source = models.CharField(
        "nguồn số liệu", max_length=15, choices=Source.choices, default=Source.SELF
    )

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gte=0),
                name="criterion_max_not_negative",
                violation_error_message="Điểm tối đa không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(step__isnull=True) | Q(step__gt=0),
                name="criterion_step_positive",
                violation_error_message="Bước điểm phải lớn hơn 0.",
            ),
            models.CheckConstraint(
                condition=Q(points_per__isnull=True) | Q(points_per__gt=0),
                name="criterion_points_per_positive",
                violation_error_message="Điểm mỗi lần phải lớn hơn 0.",
            ),
            models.UniqueConstraint(
                fields=["template", "parent", "code"],
                name="criterion_code_unique_in_parent",
                violation_error_message="Mã tiêu chí đã có trong cùng nhóm.",
            ),
            models.UniqueConstraint(
                fields=["template", "code"],
                condition=Q(parent__isnull=True),
                name="criterion_root_code_unique",
                violation_error_message="Mã tiêu chí đã có ở cấp cao nhất.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.content[:60]}"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP


class RatingBand(models.Model):
    """A rating band: total at least `min_total` and no criterion below `floor_pct` % of its
    maximum (Example C of DOMAIN §2.1). Bands are tried from the highest minimum down."""

    template = models.ForeignKey(
        Template, on_delete=models.CASCADE, related_name="bands", verbose_name="thang điểm"
    )
    label = models.CharField("xếp loại", max_length=100)
    min_total = models.DecimalField("tổng điểm từ", **POINTS)
    floor_pct = models.DecimalField(
        "mỗi tiêu chí tối thiểu (% điểm tối đa)",
        null=True,
        blank=True,
        max_digits=5,
        decimal_places=2,
    )

    class Meta:
        ordering = ["template", "-min_total"]
        verbose_name = "mức xếp loại"
        verbose_name_plural = "mức xếp loại"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_total__gte=0),
                name="band_min_not_negative",
                violation_error_message="Mức điểm không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(floor_pct__isnull=True) | (Q(floor_pct__gte=0) & Q(floor_pct__lte=100)),
                name="band_floor_pct_range",
                violation_error_message="Tỷ lệ tối thiểu phải từ 0 đến 100 %.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} (≥ {self.min_total})"


class Title(models.TextChoices):
    """Titles a unit aims for (DOMAIN §1.5). Collective ones first, then individual ones."""

    CO_CP = "co_cp", "Cờ thi đua của Chính phủ"
    CO_TINH = "co_tinh", "Cờ thi đua UBND tỉnh"
    TTLDXS = "ttldxs", "Tập thể lao động xuất sắc"
    TTLDTT = "ttldtt", "Tập thể lao động tiên tiến"
    BK_TINH_TT = "bk_tinh_tt", "Bằng khen Chủ tịch UBND tỉnh (tập thể)"
    BK_TTG_TT = "bk_ttg_tt", "Bằng khen Thủ tướng Chính phủ (tập thể)"
    LDTT = "ldtt", "Lao động tiên tiến"
    CSTDCS = "cstdcs", "Chiến sĩ thi đua cơ sở"
    CSTD_TINH = "cstd_tinh", "Chiến sĩ thi đua cấp tỉnh"
    BK_TINH_CN = "bk_tinh_cn", "Bằng khen Chủ tịch UBND tỉnh (cá nhân)"
    BK_TTG_CN = "bk_ttg_cn", "Bằng khen Thủ tướng Chính phủ (cá nhân)"


COLLECTIVE_TITLES = [
    Title.CO_CP,
    Title.CO_TINH,
    Title.TTLDXS,
    Title.TTLDTT,
    Title.BK_TINH_TT,
    Title.BK_TTG_TT,
]
INDIVIDUAL_TITLES = [Title.LDTT, Title.CSTDCS, Title.CSTD_TINH, Title.BK_TINH_CN, Title.BK_TTG_CN]


class Registration(models.Model):
    """A unit's registration for the year (đăng ký thi đua), signed into the giao ước."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang soạn"
        SUBMITTED = "submitted", "Đã gửi, chờ duyệt"
        RETURNED = "returned", "Bị trả lại"
        ACCEPTED = "accepted", "Đã chấp nhận"
        SIGNED = "signed", "Đã ký giao ước"

    EDITABLE = {Status.DRAFT, Status.RETURNED}

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="registrations", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="registrations", verbose_name="đơn vị"
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField("ghi chú của đơn vị", blank=True, max_length=4000)
    returned_reason = models.TextField("lý do trả lại", blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    # Lateness is judged on the first submission (a returned and corrected one is not late).
    first_submitted_at = models.DateTimeField("gửi lần đầu lúc", null=True, blank=True)
    reviewed_at = models.DateTimeField("duyệt lúc", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người duyệt",
    )
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["bloc", "-year", "unit__name"]
        verbose_name = "đăng ký thi đua"
        verbose_name_plural = "đăng ký thi đua"
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year", "unit"],
                name="one_registration_per_unit_year",
                violation_error_message="Đơn vị đã có bản đăng ký thi đua năm này.",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(returned_reason=""),
                name="returned_registration_has_reason",
                violation_error_message="Trả lại bản đăng ký phải nêu lý do.",
            ),
        ]

    def __str__(self) -> str:
        return f"Đăng ký thi đua {self.year} – {self.unit}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class Target(models.Model):
    """One registered target (chỉ tiêu): content, measure, target value, linked criterion."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="targets", verbose_name="bản đăng ký"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    content = models.TextField("chỉ tiêu", max_length=2000)
    measure = models.CharField("đơn vị tính", max_length=60, blank=True)
    target_value = models.DecimalField(
        "giá trị chỉ tiêu", null=True, blank=True, max_digits=14, decimal_places=2
    )
    criterion = models.ForeignKey(
        Criterion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
        verbose_name="tiêu chí chấm điểm",
    )

    class Meta:
        ordering = ["registration", "order", "id"]
        verbose_name = "chỉ tiêu đăng ký"
        verbose_name_plural = "chỉ tiêu đăng ký"
        constraints = [
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gte=0),
                name="target_value_not_negative",
                violation_error_message="Giá trị chỉ tiêu không được âm.",
            ),
        ]

    def __str__(self) -> str:
        return self.content[:80]


class TitleGoal(models.Model):
    """A title the unit aims for: a collective title (count 1) or a count of individual titles."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="titles", verbose_name="bản đăng ký"
    )
    title = models.CharField("danh hiệu", max_length=20, choices=Title.choices)
    count = models.PositiveIntegerField("số lượng", default=1)

    class Meta:
        ordering = ["registration", "id"]
        verbose_name = "danh hiệu đăng ký"
        verbose_name_plural = "danh hiệu đăng ký"
        constraints = [
            models.UniqueConstraint(fields=["registration", "title"], name="title_goal_unique"),
            models.CheckConstraint(
                condition=Q(count__gte=1) & Q(count__lte=100000),
                name="title_goal_count_range",
                violation_error_message="Số lượng phải từ 1 đến 100.000.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_title_display()} × {self.count}"

    @property
    def is_collective(self) -> bool:
        return self.title in COLLECTIVE_TITLES


class SigningMeeting(models.Model):
    """The giao ước signing meeting of a bloc-year (hội nghị ký kết giao ước thi đua)."""

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="signing_meetings", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    date = models.DateField("ngày ký kết")
    place = models.CharField("địa điểm", max_length=255)
    attending = models.ManyToManyField(Unit, related_name="+", verbose_name="đơn vị tham dự")
    note = models.TextField("ghi chú", blank=True, max_length=4000)
    # The giao ước is issued (numbered, frozen) when it is signed: reports.services.sign_giao_uoc.
    number = models.PositiveIntegerField("số giao ước", null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người ghi nhận",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "hội nghị ký kết giao ước"
        verbose_name_plural = "hội nghị ký kết giao ước"
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year"],
                name="one_signing_per_bloc_year",
                violation_error_message="Khối đã ký kết giao ước năm này.",
            ),
        ]

    def __str__(self) -> str:
        return f"Ký kết giao ước {self.year} – {self.bloc}"


class Round(models.Model):
    """A reporting round of a bloc-year (sơ kết 6 tháng, tổng kết năm): what members report and
    when. Rounds come from the issued plan's report milestones and keep their identity (`key`)
    when an amendment moves a date, so submissions and sheets belong to a round, never to a
    milestone row of one plan version."""

    class Kind(models.TextChoices):
        SO_KET = "so_ket", "Sơ kết 6 tháng"
        TONG_KET = "tong_ket", "Tổng kết năm"

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="rounds", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    key = models.CharField("mã kỳ báo cáo", max_length=40)
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    name = models.CharField("tên kỳ báo cáo", max_length=120)
    due = models.DateField("hạn nộp", null=True, blank=True)
    data_from = models.DateField("số liệu từ", null=True, blank=True)
    data_to = models.DateField("số liệu đến", null=True, blank=True)
    addressee = models.CharField("gửi về", max_length=255, blank=True)
    with_score_sheet = models.BooleanField("kèm bảng tự chấm điểm", default=False)
    active = models.BooleanField(
        "còn trong kế hoạch", default=True, help_text="Tắt khi bản kế hoạch mới bỏ kỳ báo cáo này"
    )

    class Meta:
        ordering = ["bloc", "year", "due", "key"]
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year", "key"],
                name="round_key_unique_in_bloc_year",
                violation_error_message="Khối đã có kỳ báo cáo này trong năm.",
            ),
            models.CheckConstraint(
                condition=Q(data_from__isnull=True)
                | Q(data_to__isnull=True)
                | Q(data_to__gte=F("data_from")),
                name="round_data_period_ordered",
                violation_error_message="Kỳ số liệu: ngày kết thúc phải sau ngày bắt đầu.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year} – {self.bloc}"


class Reminder(models.Model):
    """A reminder e-mail sent to a unit about a deadline (`key`: "round:<id>" or
    "milestone:<id>"), `days_before` it: at most one per unit, deadline and offset."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị"
    )
    key = models.CharField("hạn", max_length=40)
    days_before = models.PositiveSmallIntegerField("số ngày trước hạn")
    due = models.DateField("hạn")
    recipients = models.TextField("gửi tới", blank=True)
    sent_at = models.DateTimeField("gửi lúc", auto_now_add=True)

    class Meta:
        verbose_name = "nhắc hạn đã gửi"
        verbose_name_plural = "nhắc hạn đã gửi"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "key", "days_before"], name="one_reminder_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.key} – {self.days_before} ngày"
