"""Hypothesis strategies of hostile input: Vietnamese text (NFC and NFD), control, zero-width and
right-to-left characters, huge strings; numbers huge, negative, NaN, with exponents, commas and
dots; dates in bad formats; ids out of range; broken files (zip, xlsx, docx: random, truncated,
empty); and whole forms filled mostly right with a few fields wrong."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from tests.security.harness import Field, Form

WORDS = [
    "Khối thi đua", "Nội chính", "Sở Tư pháp", "Kế hoạch", "tổng kết", "điểm", "thẩm định",
    "Nguyễn Văn Trưởng", "Trần Thị Phó", "Quyết định số 120/QĐ-UBND", "Đạt", "Không đạt",
    "hoàn thành xuất sắc nhiệm vụ", "Cờ thi đua", "Bằng khen", "phong trào", "giải trình",
    "Tuyên Quang", "Đại tá", "Chính ủy", "Ủy ban nhân dân", "quý", "Hội nghị", "ngày",
]  # fmt: skip
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ"
)
CONTROLS = [chr(c) for c in range(32)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\xa0", "\u00ad", "\u180e"]
BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u200f", "\u200e", "\u061c"]
BIDI += ["\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029"]
ODD = ["\u0301" * 40, "𝕏", "😀", "👨‍👩‍👧", "ﷺ", "\uffff", "\U0010fffd", "Ω", "ß", "İ", "ﬁ"]
MARKUP = [
    "<script>alert(1)</script>", "{{ 7*7 }}", "{% debug %}", "%s%s%n", "{0}", "${x}",
    "'; DROP TABLE blocs_unit; --", '" OR 1=1 --', "../../etc/passwd", "\\x00", "**", "*",
    "=1+2", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "\r\n\r\n", "…", "–", "—",
]  # fmt: skip


def _normalised(text: str, form: str) -> str:
    return unicodedata.normalize(form, text)


vietnamese = st.builds(
    _normalised,
    st.lists(st.sampled_from(WORDS) | st.text(VIETNAMESE_LETTERS, min_size=1, max_size=12), min_size=1, max_size=6).map(" ".join),
    st.sampled_from(["NFC", "NFD"]),
)  # fmt: skip
weird_char = st.sampled_from(CONTROLS + INVISIBLE + BIDI + ODD + MARKUP)
any_char = st.characters(exclude_categories=["Cs"])  # a lone surrogate cannot be sent as UTF-8


def _mixed(parts: list[str]) -> str:
    return "".join(parts)


mixed_text = st.lists(vietnamese | weird_char | st.text(any_char, max_size=8), min_size=1, max_size=8).map(_mixed)  # fmt: skip
huge_text = st.builds(
    lambda unit, n: (unit or "x") * n,
    vietnamese | weird_char,
    st.sampled_from([300, 1_001, 4_001, 20_000, 200_001]),
)
hostile_text = st.one_of(
    st.just(""), st.just(" "), vietnamese, mixed_text, huge_text, st.sampled_from(MARKUP),
    st.text(any_char, max_size=40),
)  # fmt: skip

NUMBER_WORDS = [
    "0", "-0", "-1", "-0,01", "0,001", "1e309", "-1e309", "1e-400", "1E+5", "NaN", "nan", "-NaN",
    "sNaN", "inf", "-Infinity", "Infinity", "1,5", "1.5", "1.000,5", "1,000.5", "12,345,678",
    ".5", "5.", ",", ".", "--1", "+1", "1_000", "０１", "١٢", "²", "½", "Ⅻ", "−5", "0x1F",
    "1 000", "1\xa0000", " 7 ", "\t3\n", "3\x00", "2147483648", "-2147483649",
    "9223372036854775808", "99999999999999999999999999999999", "9" * 400, "0" * 50 + "1",
    "1e28", "123456789012345678901234567890,12345", "100000", "100000,01", "99999,999",
]  # fmt: skip


def _decimal_text(value, comma: bool) -> str:
    text = str(value)
    return text.replace(".", ",") if comma else text


hostile_number = st.one_of(
    st.sampled_from(NUMBER_WORDS),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.builds(_decimal_text, st.decimals(allow_nan=True, allow_infinity=True), st.booleans()),
    st.builds(_decimal_text, st.floats(), st.booleans()),
)

DATE_WORDS = [
    "31/02/2026", "29/02/2025", "00/00/0000", "32/01/2026", "01/13/2026", "1/1/1", "01/01/0001",
    "31/12/9999", "01/01/99999", "2026-13-01", "2026-02-30", "26/12/26", "12/31/2026",
    "dd/mm/yyyy", "01-01-2026", "01.01.2026", "01/01/2026 08:00", "01/01/-2026", "٠١/٠١/٢٠٢٦",
    "０１/０１/２０２６", "01/01/2026\x00", "1e3/1/2026", "01/01/1899", "31/12/2100", "01/01/1970",
]  # fmt: skip
hostile_date = st.one_of(
    st.sampled_from(DATE_WORDS),
    st.builds(
        "{:02d}/{:02d}/{:04d}".format,
        st.integers(-1, 40),
        st.integers(-1, 14),
        st.integers(0, 12000),
    ),  # fmt: skip
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)
ID_WORDS = ["0", "-1", "1.5", "1e3", "abc", "", " 1", "1;2", "2147483647", "2147483648", "9" * 30]
hostile_id = st.sampled_from(ID_WORDS) | st.integers(-(2**70), 2**70).map(str)
hostile_value = st.one_of(hostile_text, hostile_number, hostile_date, hostile_id)


def vn_date(year: int) -> st.SearchStrategy[str]:
    """A real date near the bloc-year, as a person types it."""
    days = st.dates(min_value=dt.date(year - 1, 1, 1), max_value=dt.date(year + 1, 12, 31))
    return days.map(lambda d: d.strftime("%d/%m/%Y"))


# ---------------------------------------------------------------- files


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return out.getvalue()


def _truncate(data: bytes, fraction: float) -> bytes:
    return data[: max(1, int(len(data) * fraction))]


def _flip(data: bytes, at: float, byte: int) -> bytes:
    if not data:
        return bytes([byte])
    i = min(len(data) - 1, int(len(data) * at))
    return data[:i] + bytes([byte]) + data[i + 1 :]


BOMB = _zip({"xl/worksheets/sheet1.xml": b"<" + b"a" * 2_000_000})  # unpacks 2 MB from ~2 kB
ZIPS = [
    b"PK\x03\x04" + b"\x00" * 30,
    b"PK\x05\x06" + b"\x00" * 18,  # an empty zip
    _zip({"[Content_Types].xml": b"<Types/>"}),
    _zip({"word/document.xml": b"<w:document><w:body><w:p>x</w:p></w:body>"}),
    _zip({"xl/workbook.xml": b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>"}),
    _zip({"../../evil.txt": b"x", "xl/workbook.xml": b"\xff\xfe\x00"}),
    BOMB,
]


def broken_bytes(valid: bytes | None = None) -> st.SearchStrategy[bytes]:
    """Bytes that are not what they claim: empty, random, a broken zip, and (given a valid file)
    that file truncated or with one byte changed."""
    options = [
        st.just(b""),
        st.binary(max_size=2048),
        st.sampled_from(ZIPS),
        st.sampled_from([b"%PDF-1.4\n%%EOF", b"MZ\x90\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
        hostile_text.map(lambda t: t.encode("utf-8")),
    ]
    if valid is not None:
        options += [
            st.builds(_truncate, st.just(valid), st.floats(0.0, 0.99)),
            st.builds(_flip, st.just(valid), st.floats(0.0, 1.0), st.integers(0, 255)),
        ]
    return st.one_of(options)


FILE_NAMES = st.one_of(
    st.sampled_from(["bao-cao.pdf", "a.xlsx", "a.docx", "x", ".xlsx", "a.XLSX", "a.xlsx.exe"]),
    st.builds(lambda t, ext: t[:300] + ext, hostile_text, st.sampled_from([".pdf", ".xlsx", ".docx", ".txt", ""])),
)  # fmt: skip


def upload(name: str, body: bytes, content_type: str = "application/octet-stream"):
    """A file as a browser posts it (a safe name: the test client needs one it can encode)."""
    safe = name.replace("\x00", "").replace("\r", "").replace("\n", "").replace('"', "") or "tep"
    return SimpleUploadedFile(safe, body, content_type=content_type)


hostile_file = st.builds(upload, FILE_NAMES, broken_bytes())


# ---------------------------------------------------------------- forms


def valid_for(f: Field, year: int, good: str | None = None) -> st.SearchStrategy:
    """What a person would send in this field (None: the field is left out, as a browser does
    with an unticked box); `good` is a value known to be right for it."""
    if good is not None:
        return st.just(good) | valid_for(f, year)
    if f.kind == "hidden":
        return st.just(f.value)
    if f.kind == "submit":
        return st.sampled_from(f.options)
    if f.kind in ("select", "radio"):
        chosen = [o for o in f.options if o] or f.options
        return st.sampled_from(chosen) if chosen else st.just("")
    if f.kind in ("checkbox", "multiselect"):
        return st.lists(st.sampled_from(f.options), unique=True).map(lambda v: v or None)
    if f.kind == "file":
        return hostile_file
    if f.looks_like_date:
        return st.just(f.value) | vn_date(year) if f.value else vn_date(year) | st.just("")
    if f.looks_like_number:
        numbers = st.integers(0, 20).map(str) | st.sampled_from(["1,5", "0,25", "2.5", "10"])
        return (st.just(f.value) | numbers) if f.value else (numbers | st.just(""))
    if f.kind == "email":
        return st.sampled_from(["can.bo@tinh.gov.vn", "a@b.vn"])
    if f.value:
        return st.just(f.value) | vietnamese
    return vietnamese | st.just("")  # an optional field a person leaves empty


def hostile_for(f: Field) -> st.SearchStrategy:
    if f.kind == "file":
        return hostile_file
    if f.looks_like_date:
        return hostile_date | hostile_value
    if f.looks_like_number or f.kind in ("select", "radio", "checkbox", "multiselect", "hidden"):
        return hostile_number | hostile_id | hostile_value
    return hostile_text | hostile_value


JUNK_NAMES = st.sampled_from(["id", "pk", "status", "unit", "bloc", "year", "revision", "x" * 300, "csrfmiddlewaretoken", "__proto__", "a[]", "TOTAL_FORMS"])  # fmt: skip


@st.composite
def form_input(draw, form: Form, year: int, good: dict | None = None) -> dict:
    """The form as a person fills it, then up to three fields made hostile (a value from the
    strategies above, the field left out, or sent several times) and maybe unknown fields."""
    names = sorted(form.fields)
    hostile_names = draw(st.lists(st.sampled_from(names), unique=True, max_size=3)) if names else []
    data: dict = {}
    for name in names:
        f = form.fields[name]
        if name not in hostile_names:
            value = draw(valid_for(f, year, (good or {}).get(name)))
        else:
            how = draw(st.sampled_from(["value", "value", "absent", "many"]))
            if how == "absent":
                continue
            value = draw(hostile_for(f))
            if how == "many":
                value = [
                    value,
                    *draw(st.lists(hostile_for(f) | valid_for(f, year), min_size=1, max_size=3)),
                ]
                value = [v for v in value if v is not None]
        if value is not None:
            data[name] = value
    for junk in draw(st.lists(JUNK_NAMES, unique=True, max_size=2)):
        data.setdefault(junk, draw(hostile_value))
    return data
