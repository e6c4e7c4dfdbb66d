"""Yearly plans (KẾ HOẠCH): the document's parts as records, its phases and deadlines, and the
format profiles (NĐ 30/2020 state, HD 36 Party) that say how a document prints."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from blocs.models import Bloc, Unit


class FormatProfile(models.Model):
    """Every number of an official format, as data: one place to change them (DOMAIN §3)."""

    class Family(models.TextChoices):
        STATE = "state", "Văn bản hành chính (NĐ 30/2020/NĐ-CP)"
        PARTY = "party", "Văn bản của Đảng (HD 36-HD/VPTW)"

    class Heading(models.TextChoices):
        DOT = "dot", "I. / 1. (chấm)"
        DASH = "dash", "I- / 1. (gạch ngang)"

    code = models.CharField("mã", max_length=30, unique=True)
    name = models.CharField("tên", max_length=200)
    family = models.CharField("loại văn bản", max_length=10, choices=Family.choices)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255, blank=True)
    effective_from = models.DateField("hiệu lực từ", null=True, blank=True)
    effective_to = models.DateField("hiệu lực đến", null=True, blank=True)
    # Page (mm)
    margin_top_mm = models.DecimalField(
        "lề trên (mm)", max_digits=4, decimal_places=1, default=Decimal("20")
    )
    margin_bottom_mm = models.DecimalField(
        "lề dưới (mm)", max_digits=4, decimal_places=1, default=Decimal("20")
    )
    margin_left_mm = models.DecimalField(
        "lề trái (mm)", max_digits=4, decimal_places=1, default=Decimal("30")
    )
    margin_right_mm = models.DecimalField(
        "lề phải (mm)", max_digits=4, decimal_places=1, default=Decimal("15")
    )
    # Font sizes (pt)
    body_pt = models.DecimalField(
        "cỡ chữ nội dung (pt)", max_digits=4, decimal_places=1, default=Decimal("14")
    )
    national_title_pt = models.DecimalField(
        "cỡ chữ quốc hiệu (pt)", max_digits=4, decimal_places=1, default=Decimal("13")
    )
    motto_pt = models.DecimalField(
        "cỡ chữ tiêu ngữ (pt)", max_digits=4, decimal_places=1, default=Decimal("14")
    )
    issuer_pt = models.DecimalField(
        "cỡ chữ tên cơ quan (pt)", max_digits=4, decimal_places=1, default=Decimal("13")
    )
    number_pt = models.DecimalField(
        "cỡ chữ số, ký hiệu (pt)", max_digits=4, decimal_places=1, default=Decimal("13")
    )
    place_date_pt = models.DecimalField(
        "cỡ chữ địa danh, ngày tháng (pt)", max_digits=4, decimal_places=1, default=Decimal("14")
    )
    doc_type_pt = models.DecimalField(
        "cỡ chữ tên loại (pt)", max_digits=4, decimal_places=1, default=Decimal("14")
    )
    title_pt = models.DecimalField(
        "cỡ chữ trích yếu (pt)", max_digits=4, decimal_places=1, default=Decimal("14")
    )
    recipients_label_pt = models.DecimalField(
        "cỡ chữ “Nơi nhận” (pt)", max_digits=4, decimal_places=1, default=Decimal("12")
    )
    recipients_pt = models.DecimalField(
        "cỡ chữ nơi nhận (pt)", max_digits=4, decimal_places=1, default=Decimal("11")
    )
    signature_pt = models.DecimalField(
        "cỡ chữ chữ ký (pt)", max_digits=4, decimal_places=1, default=Decimal("14")
    )
    page_number_pt = models.DecimalField(
        "cỡ chữ số trang (pt)", max_digits=4, decimal_places=1, default=Decimal("14")
    )
    # Paragraphs
    first_line_indent_mm = models.DecimalField(
        "thụt lề dòng đầu (mm)", max_digits=4, decimal_places=1, default=Decimal("10")
    )
    paragraph_spacing_pt = models.DecimalField(
        "khoảng cách đoạn (pt)", max_digits=4, decimal_places=1, default=Decimal("6")
    )
    line_height = models.DecimalField(
        "giãn dòng", max_digits=3, decimal_places=2, default=Decimal("1.15")
    )
    # Header texts and marks
    national_title = models.CharField(
        "quốc hiệu", max_length=120, default="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    )
    motto = models.CharField(
        "tiêu ngữ", max_length=120, blank=True, default="Độc lập - Tự do - Hạnh phúc"
    )
    issuer_mark = models.CharField(
        "dấu dưới tên cơ quan",
        max_length=10,
        blank=True,
        help_text="“*” dưới tên cơ quan (thể thức của Đảng); để trống = gạch kẻ",
    )
    title_mark = models.CharField(
        "dấu dưới trích yếu",
        max_length=10,
        blank=True,
        help_text="“-----” dưới trích yếu (thể thức của Đảng); để trống = gạch kẻ",
    )
    # Numbering: {number} {doc_type} {symbol}; drafts leave {number} blank.
    number_pattern = models.CharField(
        "mẫu số, ký hiệu", max_length=60, default="Số: {number}/{doc_type}-{symbol}"
    )
    heading_style = models.CharField(
        "kiểu đánh số mục", max_length=5, choices=Heading.choices, default=Heading.DOT
    )
    recipients_label = models.CharField("nhãn nơi nhận", max_length=30, default="Nơi nhận:")
    recipients_label_underline = models.BooleanField("gạch chân nhãn nơi nhận", default=False)
    closing_mark = models.CharField("dấu kết thúc", max_length=5, default="./.")
    number_per_term = models.BooleanField(
        "đánh số theo nhiệm kỳ",
        default=False,
        help_text="Văn bản của Đảng đánh số liên tục trong nhiệm kỳ cấp ủy, không theo năm",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "thể thức văn bản"
        verbose_name_plural = "thể thức văn bản"

    def __str__(self) -> str:
        return self.name

    @property
    def is_party(self) -> bool:
        return self.family == self.Family.PARTY


class PlanQuerySet(models.QuerySet):
    def visible(self) -> PlanQuerySet:
        return self.exclude(status=Plan.Status.REVOKED)


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        CONSULTATION = "consultation", "Đang lấy ý kiến"
        APPROVED = "approved", "Đã duyệt"
        ISSUED = "issued", "Đã ban hành"
        SUPERSEDED = "superseded", "Đã được thay thế"
        REVOKED = "revoked", "Đã thu hồi"

    class IssuerKind(models.TextChoices):
        BLOC = "bloc", "Khối thi đua (Trưởng khối ký)"
        AGENCY = "agency", "Cơ quan (kế hoạch nội bộ)"
        GOVERNMENT = "government", "Ủy ban nhân dân"
        PARTY_BLOC = "party_bloc", "Khối thi đua các cơ quan Đảng"

    class BasesStyle(models.TextChoices):
        PARAGRAPH = "paragraph", "Một đoạn văn"
        LIST = "list", "Danh sách gạch đầu dòng"

    bloc = models.ForeignKey(
        Bloc, on_delete=models.PROTECT, related_name="plans", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    issuer_kind = models.CharField(
        "loại cơ quan ban hành", max_length=20, choices=IssuerKind.choices, default=IssuerKind.BLOC
    )
    format_profile = models.ForeignKey(
        FormatProfile, on_delete=models.PROTECT, related_name="plans", verbose_name="thể thức"
    )
    parent_issuer = models.CharField(
        "cơ quan chủ quản", max_length=255, blank=True, help_text="Mỗi dòng một dòng in"
    )
    issuer = models.CharField("cơ quan ban hành", max_length=255, help_text="Mỗi dòng một dòng in")
    doc_type = models.CharField("ký hiệu loại", max_length=10, default="KH")
    symbol = models.CharField("ký hiệu cơ quan", max_length=30)
    number = models.PositiveIntegerField("số", null=True, blank=True)
    place = models.CharField("địa danh", max_length=100)
    issue_date = models.DateField("ngày ban hành", null=True, blank=True)
    draft_month = models.PositiveSmallIntegerField(
        "tháng (bản dự thảo)", null=True, blank=True, help_text="In khi chưa có ngày ban hành"
    )
    title = models.TextField("trích yếu", max_length=2000)
    bases_style = models.CharField(
        "cách trình bày căn cứ",
        max_length=10,
        choices=BasesStyle.choices,
        default=BasesStyle.PARAGRAPH,
    )
    preamble = models.TextField("lời mở đầu (sau căn cứ)", blank=True)
    theme = models.TextField("chủ đề thi đua", blank=True)
    closing = models.TextField("câu kết", blank=True)
    status = models.CharField(
        "trạng thái", max_length=15, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveSmallIntegerField("phiên bản", default=1)
    # Optimistic concurrency: every edit service bumps it; a form posts the value it was read
    # with, and a save whose value is stale is refused (two editors never overwrite each other).
    revision = models.PositiveIntegerField("lần sửa", default=0, editable=False)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name="thay thế kế hoạch",
    )
    consultation_deadline = models.DateField("hạn góp ý", null=True, blank=True)
    source_text = models.TextField("văn bản gốc đã nhập", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tạo",
    )
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    updated_at = models.DateTimeField("ngày cập nhật", auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "bloc__name", "-version"]
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        constraints = [
            models.CheckConstraint(
                condition=Q(draft_month__isnull=True)
                | (Q(draft_month__gte=1) & Q(draft_month__lte=12)),
                name="plan_draft_month_range",
                violation_error_message="Tháng phải từ 1 đến 12.",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued")
                | (Q(number__isnull=False) & Q(issue_date__isnull=False)),
                name="issued_plan_has_number_and_date",
                violation_error_message="Kế hoạch đã ban hành phải có số và ngày.",
            ),
        ]

    def __str__(self) -> str:
        return f"Kế hoạch {self.year} – {self.bloc}"

    @property
    def is_frozen(self) -> bool:
        return self.status in {self.Status.ISSUED, self.Status.SUPERSEDED, self.Status.REVOKED}

    @property
    def is_draft_like(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.CONSULTATION, self.Status.APPROVED}


class LegalBasis(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="bases", verbose_name="kế hoạch"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    text = models.TextField("căn cứ")

    class Meta:
        verbose_name = "căn cứ"
        verbose_name_plural = "căn cứ"
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Section(models.Model):
    """One node of the body tree: label ("I.", "1.", "1.1.", "a)") + heading + paragraphs.

    `content` holds paragraphs separated by blank lines; a paragraph starting with "- " or "+ "
    is a bullet; **bold** and *italic* mark runs inside text.
    """

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="sections", verbose_name="kế hoạch"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name="mục cha",
    )
    order = models.PositiveIntegerField("thứ tự", default=0)
    label = models.CharField("số thứ tự", max_length=20, blank=True)
    title = models.TextField("tiêu đề", blank=True)
    content = models.TextField("nội dung", blank=True)

    class Meta:
        verbose_name = "mục nội dung"
        verbose_name_plural = "mục nội dung"
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.title}".strip()


class Recipient(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="recipients", verbose_name="kế hoạch"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    name = models.CharField("nơi nhận", max_length=500)
    purpose = models.CharField(
        "mục đích", max_length=60, blank=True, help_text="Ví dụ: b/c, T/hiện"
    )
    is_archive = models.BooleanField("dòng lưu", default=False)

    class Meta:
        verbose_name = "nơi nhận"
        verbose_name_plural = "nơi nhận"
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.name


class SignatureLine(models.Model):
    class Role(models.TextChoices):
        AUTHORITY = "authority", "Quyền hạn ký (TM./KT./Q./TL./TUQ.)"
        POSITION = "position", "Chức vụ"
        RANK = "rank", "Cấp bậc"
        NAME = "name", "Họ tên"
        TITLE = "title", "Chức danh khác"

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="signature_lines", verbose_name="kế hoạch"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    role = models.CharField("vai trò dòng", max_length=10, choices=Role.choices)
    text = models.CharField("nội dung dòng", max_length=255)
    after_gap = models.BooleanField(
        "sau chỗ ký", default=False, help_text="Chỗ ký nằm trước dòng đầu tiên được đánh dấu"
    )

    class Meta:
        verbose_name = "dòng chữ ký"
        verbose_name_plural = "dòng chữ ký"
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Phase(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="phases", verbose_name="kế hoạch"
    )
    seq = models.PositiveSmallIntegerField("đợt")
    name = models.CharField("tên đợt", max_length=255)
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày")
    commemorations = models.TextField("ngày lễ, kỷ niệm", blank=True)
    description = models.TextField("nội dung", blank=True)

    class Meta:
        verbose_name = "đợt thi đua"
        verbose_name_plural = "đợt thi đua"
        ordering = ["plan", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "seq"], name="phase_seq_unique"),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="phase_end_after_start",
                violation_error_message="Ngày kết thúc đợt phải sau ngày bắt đầu.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "Ngày kết thúc đợt phải sau ngày bắt đầu."})


class Milestone(models.Model):
    """A dated obligation of the plan: a report deadline (with its data period), a meeting, a signing."""

    class Kind(models.TextChoices):
        PHAT_DONG = "phat_dong", "Hội nghị phát động"
        KY_GIAO_UOC = "ky_giao_uoc", "Ký kết giao ước thi đua"
        DANG_KY = "dang_ky", "Đăng ký thi đua"
        BAO_CAO_SO_KET = "bao_cao_so_ket", "Báo cáo sơ kết"
        HOI_NGHI_SO_KET = "hoi_nghi_so_ket", "Hội nghị sơ kết"
        BAO_CAO_TONG_KET = "bao_cao_tong_ket", "Báo cáo tổng kết"
        HOI_NGHI_TONG_KET = "hoi_nghi_tong_ket", "Hội nghị tổng kết"
        BINH_XET = "binh_xet", "Bình xét, xếp hạng"

    REPORT_KINDS = {Kind.BAO_CAO_SO_KET, Kind.BAO_CAO_TONG_KET}

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="milestones", verbose_name="kế hoạch"
    )
    phase = models.ForeignKey(
        Phase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name="đợt thi đua",
    )
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    due = models.DateField("hạn / ngày", null=True, blank=True)
    due_month = models.PositiveSmallIntegerField("tháng", null=True, blank=True)
    due_year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    data_from = models.DateField("số liệu từ", null=True, blank=True)
    data_to = models.DateField("số liệu đến", null=True, blank=True)
    addressee = models.CharField("gửi về", max_length=255, blank=True)
    place = models.CharField("địa điểm", max_length=255, blank=True)
    with_score_sheet = models.BooleanField("kèm bảng tự chấm điểm", default=False)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "mốc thời gian"
        verbose_name_plural = "mốc thời gian"
        ordering = ["plan", "due", "due_year", "due_month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(data_from__isnull=True)
                | Q(data_to__isnull=True)
                | Q(data_to__gte=F("data_from")),
                name="milestone_data_period_ordered",
                violation_error_message="Kỳ số liệu: ngày kết thúc phải sau ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=Q(due_month__isnull=True) | (Q(due_month__gte=1) & Q(due_month__lte=12)),
                name="milestone_month_range",
                violation_error_message="Tháng phải từ 1 đến 12.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class PlanComment(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="comments", verbose_name="kế hoạch"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, verbose_name="đơn vị"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="người góp ý",
    )
    text = models.TextField("ý kiến")
    created_at = models.DateTimeField("thời điểm góp ý", auto_now_add=True)

    class Meta:
        verbose_name = "góp ý"
        verbose_name_plural = "góp ý"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class CalendarToken(models.Model):
    """The secret in a user's calendar-feed URLs (calendar apps cannot log in). Revoking or
    renewing it makes every URL with the old secret answer 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name="người dùng",
    )
    token = models.CharField("mã bí mật", max_length=64, unique=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "mã lịch cá nhân"
        verbose_name_plural = "mã lịch cá nhân"

    def __str__(self) -> str:
        return f"Lịch của {self.user}"
