"""The two official formats as data (DOMAIN §3.1, §3.2). A newer profile is a new row, not code."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

PROFILES = [
    dict(
        code="ND30_2020",
        name="Nghị định 30/2020/NĐ-CP (văn bản hành chính)",
        family="state",
        legal_basis="Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư, Phụ lục I",
        effective_from=dt.date(2020, 3, 5),
        margin_top_mm=Decimal("20"), margin_bottom_mm=Decimal("20"),
        margin_left_mm=Decimal("30"), margin_right_mm=Decimal("15"),
        body_pt=Decimal("14"), national_title_pt=Decimal("13"), motto_pt=Decimal("14"),
        issuer_pt=Decimal("13"), number_pt=Decimal("13"), place_date_pt=Decimal("14"),
        doc_type_pt=Decimal("14"), title_pt=Decimal("14"), recipients_label_pt=Decimal("12"),
        recipients_pt=Decimal("11"), signature_pt=Decimal("14"), page_number_pt=Decimal("14"),
        first_line_indent_mm=Decimal("10"), paragraph_spacing_pt=Decimal("6"),
        line_height=Decimal("1.15"),
        national_title="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        motto="Độc lập - Tự do - Hạnh phúc",
        issuer_mark="", title_mark="",
        number_pattern="Số: {number}/{doc_type}-{symbol}",
        heading_style="dot", recipients_label="Nơi nhận:", recipients_label_underline=False,
        closing_mark="./.", number_per_term=False,
    ),
    dict(
        code="HD36_2018",
        name="Hướng dẫn 36-HD/VPTW (văn bản của Đảng)",
        family="party",
        legal_basis="Hướng dẫn số 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng",
        effective_from=dt.date(2018, 4, 3),
        margin_top_mm=Decimal("20"), margin_bottom_mm=Decimal("20"),
        margin_left_mm=Decimal("30"), margin_right_mm=Decimal("15"),
        body_pt=Decimal("14"), national_title_pt=Decimal("15"), motto_pt=Decimal("14"),
        issuer_pt=Decimal("14"), number_pt=Decimal("14"), place_date_pt=Decimal("14"),
        doc_type_pt=Decimal("15"), title_pt=Decimal("14"), recipients_label_pt=Decimal("14"),
        recipients_pt=Decimal("12"), signature_pt=Decimal("14"), page_number_pt=Decimal("14"),
        first_line_indent_mm=Decimal("10"), paragraph_spacing_pt=Decimal("6"),
        line_height=Decimal("1.15"),
        national_title="ĐẢNG CỘNG SẢN VIỆT NAM",
        motto="",
        issuer_mark="*", title_mark="-----",
        number_pattern="Số {number}-{doc_type}/{symbol}",
        heading_style="dash", recipients_label="Nơi nhận:", recipients_label_underline=True,
        closing_mark=".", number_per_term=True,
    ),
]


def add_profiles(apps, schema_editor):
    FormatProfile = apps.get_model("plans", "FormatProfile")
    for data in PROFILES:
        FormatProfile.objects.update_or_create(code=data["code"], defaults=data)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(add_profiles, migrations.RunPython.noop)]
