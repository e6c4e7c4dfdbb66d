"""Provinces, units, blocs with their yearly terms and dated memberships, users, and the audit log."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from blocs.text import fold


class Province(models.Model):
    name = models.CharField("tên tỉnh", max_length=100, unique=True)
    # Post-2025 many provinces review through "Phòng Thi đua, khen thưởng - Sở Nội vụ".
    reviewer_label = models.CharField(
        "tên cơ quan thẩm định",
        max_length=200,
        default="Ban Thi đua - Khen thưởng tỉnh",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "tỉnh"
        verbose_name_plural = "tỉnh"

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A cơ quan / đơn vị. Units merge and get renamed, so they carry validity dates and a successor."""

    class Kind(models.TextChoices):
        SO_NGANH = "so_nganh", "Sở, ban, ngành"
        BAN_DANG = "ban_dang", "Ban Đảng"
        LLVT = "llvt", "Lực lượng vũ trang"
        DOAN_THE = "doan_the", "Mặt trận, đoàn thể"
        CHINH_QUYEN = "chinh_quyen", "Ủy ban nhân dân"
        XA_PHUONG = "xa_phuong", "Xã, phường"
        PHONG_BAN = "phong_ban", "Phòng, ban, trung tâm trực thuộc"
        TRUNG_UONG = "trung_uong", "Cơ quan Trung ương đóng trên địa bàn"
        KHAC = "khac", "Khác"

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="units", verbose_name="tỉnh"
    )
    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    symbol = models.CharField("ký hiệu văn bản", max_length=30, blank=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices, default=Kind.SO_NGANH)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="cơ quan chủ quản",
    )
    valid_from = models.DateField("hoạt động từ", null=True, blank=True)
    valid_to = models.DateField("hoạt động đến", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        verbose_name="đơn vị kế thừa",
    )
    # The name, short name and symbol folded (blocs.text.fold) for the unit search of the forms
    # (blocs/unit_search.py): "so tai chinh" finds "Sở Tài chính". Kept by save(); a bulk
    # create must call refresh_search_text() itself.
    search_text = models.CharField("tên để tìm kiếm", max_length=400, blank=True, editable=False)

    SEARCH_FIELDS = ("name", "short_name", "symbol")

    class Meta:
        ordering = ["name"]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["province", "name"],
                name="unit_unique_name_in_province",
                violation_error_message="Tỉnh này đã có đơn vị cùng tên.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_dates_ordered",
                violation_error_message="Ngày kết thúc phải sau ngày bắt đầu hoạt động.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.refresh_search_text()
        fields = kwargs.get("update_fields")
        if fields is not None and set(fields) & set(self.SEARCH_FIELDS):
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": "Đơn vị không thể kế thừa chính nó."})

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join(getattr(self, f) or "" for f in self.SEARCH_FIELDS))


class Bloc(models.Model):
    """A Khối / Cụm thi đua, or an agency's or a government's own emulation scope (seeds 001, 002)."""

    class Kind(models.TextChoices):
        KHOI = "khoi", "Khối thi đua"
        CUM = "cum", "Cụm thi đua"
        NOI_BO = "noi_bo", "Thi đua nội bộ cơ quan"
        DIA_BAN = "dia_ban", "Thi đua trên địa bàn (UBND)"

    class Level(models.TextChoices):
        TINH = "tinh", "Cấp tỉnh"
        SO_NGANH = "so_nganh", "Cấp sở, ngành"
        HUYEN_XA = "huyen_xa", "Cấp huyện, xã"

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="blocs", verbose_name="tỉnh"
    )
    name = models.CharField("tên khối", max_length=255)
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, default=Kind.KHOI)
    level = models.CharField("cấp", max_length=10, choices=Level.choices, default=Level.TINH)
    symbol = models.CharField(
        "ký hiệu văn bản", max_length=30, blank=True, help_text="Ví dụ KTĐNC trong 11/KH-KTĐNC"
    )
    decision_number = models.CharField("số quyết định thành lập", max_length=60, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    decision_issuer = models.CharField("cơ quan ban hành quyết định", max_length=255, blank=True)
    active_from = models.DateField("hoạt động từ", null=True, blank=True)
    active_to = models.DateField("hoạt động đến", null=True, blank=True)

    class Meta:
        ordering = ["province__name", "name"]
        verbose_name = "khối thi đua"
        verbose_name_plural = "khối thi đua"
        constraints = [
            models.UniqueConstraint(
                fields=["province", "name"],
                name="bloc_unique_name_in_province",
                violation_error_message="Tỉnh này đã có khối thi đua cùng tên.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BlocTerm(models.Model):
    """The head unit (Trưởng khối) and deputies (Phó khối) of a bloc for one year."""

    bloc = models.ForeignKey(
        Bloc, on_delete=models.CASCADE, related_name="terms", verbose_name="khối thi đua"
    )
    year = models.PositiveSmallIntegerField("năm")
    head_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="head_terms", verbose_name="đơn vị Trưởng khối"
    )
    deputy_units = models.ManyToManyField(
        Unit, blank=True, related_name="deputy_terms", verbose_name="đơn vị Phó khối"
    )
    basis = models.CharField(
        "căn cứ", max_length=255, blank=True, help_text="Quyết định hoặc biên bản bầu"
    )
    basis_date = models.DateField("ngày căn cứ", null=True, blank=True)
    # How the head unit signs this year's documents (DOMAIN §3.1 signature block): the unit's
    # name as printed, and its leader as entered for the term. Plans of the year take them.
    head_display = models.CharField(
        "tên Trưởng khối in trên văn bản",
        max_length=255,
        blank=True,
        help_text="Ví dụ: Bộ CHQS tỉnh Tuyên Quang; để trống = tên đơn vị",
    )
    signer_position = models.CharField(
        "chức vụ người ký", max_length=255, blank=True, help_text="Ví dụ: Chính ủy, Giám đốc"
    )
    signer_rank = models.CharField(
        "cấp bậc / học hàm", max_length=100, blank=True, help_text="Ví dụ: Đại tá"
    )
    signer_name = models.CharField("họ tên người ký", max_length=150, blank=True)

    class Meta:
        ordering = ["bloc", "-year"]
        verbose_name = "nhiệm kỳ khối"
        verbose_name_plural = "nhiệm kỳ khối"
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year"],
                name="one_term_per_bloc_year",
                violation_error_message="Khối đã có Trưởng khối cho năm này.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="term_year_range",
                violation_error_message="Năm không hợp lệ.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc} – {self.year}"

    @property
    def head_print_name(self) -> str:
        return (self.head_display or self.head_unit.short_name or self.head_unit.name).strip()


class MembershipQuerySet(models.QuerySet):
    def for_year(self, year: int) -> MembershipQuerySet:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return self.filter(joined_on__lte=end).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=start)
        )


class Membership(models.Model):
    """A unit's dated membership of a bloc; a unit can join mid-year and leave on a merger."""

    class Reason(models.TextChoices):
        THANH_LAP = "thanh_lap", "Thành lập"
        KIEN_TOAN = "kien_toan", "Kiện toàn"
        SAP_NHAP = "sap_nhap", "Sáp nhập"
        RUT = "rut", "Rút khỏi khối"

    bloc = models.ForeignKey(
        Bloc, on_delete=models.CASCADE, related_name="memberships", verbose_name="khối thi đua"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name="đơn vị"
    )
    joined_on = models.DateField("ngày tham gia")
    join_reason = models.CharField(
        "lý do tham gia", max_length=20, choices=Reason.choices, default=Reason.THANH_LAP
    )
    left_on = models.DateField("ngày rời khối", null=True, blank=True)
    leave_reason = models.CharField(
        "lý do rời khối", max_length=20, choices=Reason.choices, blank=True
    )
    decision_ref = models.CharField("căn cứ (số, ngày quyết định)", max_length=255, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["unit__name", "joined_on"]
        verbose_name = "thành viên khối"
        verbose_name_plural = "thành viên khối"
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_dates_ordered",
                violation_error_message="Ngày rời khối phải sau ngày tham gia.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.bloc}"

    def covers_year(self, year: int) -> bool:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return self.joined_on <= end and (self.left_on is None or self.left_on >= start)


class User(AbstractUser):
    """A person who logs in. Their powers in a bloc follow from their unit's role in that year's term."""

    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name="đơn vị",
    )
    reviewer_province = models.ForeignKey(
        Province,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewers",
        verbose_name="thẩm định cho tỉnh",
        help_text="Cán bộ Ban/Phòng TĐKT: xem mọi khối của tỉnh.",
    )
    is_account_manager = models.BooleanField(
        "quản lý tài khoản của đơn vị",
        default=False,
        help_text="Mời, khóa tài khoản và gửi liên kết đặt lại mật khẩu cho cán bộ của đơn vị mình.",
    )

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username


class AuditEvent(models.Model):
    """Every state change a service makes; read-only after write."""

    at = models.DateTimeField("thời điểm", auto_now_add=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="người thực hiện"
    )
    action = models.CharField("thao tác", max_length=60)
    bloc = models.ForeignKey(
        Bloc,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit",
        verbose_name="khối thi đua",
    )
    year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    object_type = models.CharField("loại đối tượng", max_length=60, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=40, blank=True)
    data = models.JSONField("dữ liệu", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "nhật ký"
        verbose_name_plural = "nhật ký"
        # An object's trail: a sheet's history and its round's due-date moves
        # (scoring.history.submission_history, scoring.selectors_rounds.due_moves) look events
        # up by type and id; without it PostgreSQL scans the whole log on every such page.
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action}"


class DataVersion(models.Model):
    """How many committed writes each table has had (a table without a row: none; "*": every
    table): the page cache keys a page on the versions of the tables it read
    (blocs/pagecache.py bumps them after every commit that wrote, and reads them per page)."""

    name = models.CharField("bảng", max_length=100, unique=True)
    value = models.BigIntegerField("giá trị", default=0)

    class Meta:
        verbose_name = "phiên bản dữ liệu"

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
