"""Text widths in the Times-compatible face, and header lines that fit their column without
breaking a word.

The issuer block of an official document ("ỦY BAN NHÂN DÂN / THÀNH PHỐ TÂY NINH") is printed
line by line: each line never wraps (print.css: `white-space: nowrap`), so the builder decides
where a line that is too wide for the left column breaks. A Vietnamese word is often two or three
syllables ("THÀNH PHỐ", "NHÂN DÂN", "THAM MƯU"), so a break between any two syllables is not
good enough: breaks go after a comma or before a place ("TỈNH …", "THÀNH PHỐ …") first, never
inside a known compound or a place name, and the fewest, most even lines win.
"""

from __future__ import annotations

import functools
import subprocess
from typing import Any

LEFT_SHARE, FINAL_LEFT_SHARE = 0.38, 0.45  # column shares, as in static/reports/print.css
A4_WIDTH_MM = 210
PT_PER_MM = 72 / 25.4

# Place markers: what follows them up to the end of the line is a place name, kept whole.
PLACE_MARKERS = (
    ("TỈNH", "ỦY"),
    ("THÀNH", "ỦY"),
    ("HUYỆN", "ỦY"),
    ("THÀNH", "PHỐ"),
    ("THỊ", "XÃ"),
    ("THỊ", "TRẤN"),
    ("TP.",),
    ("TỈNH",),
    ("HUYỆN",),
    ("QUẬN",),
    ("XÃ",),
    ("PHƯỜNG",),
)
PLACE_NAME_MAX_WORDS = 5
# Words of several syllables that appear in the names of issuing bodies: never split.
COMPOUNDS = frozenset(
    word.strip()
    for word in """ỦY BAN|NHÂN DÂN|HỘI ĐỒNG|THÀNH PHỐ|THỊ XÃ|THỊ TRẤN|THI ĐUA|KHEN THƯỞNG|CƠ QUAN|THAM MƯU|
    TỔNG HỢP|NỘI CHÍNH|NỘI VỤ|TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|ĐẢNG ỦY|GIAO ƯỚC|TUYÊN GIÁO|DÂN VẬN|
    TỔ CHỨC|KIỂM TRA|CHỈ HUY|QUÂN SỰ|CÔNG AN|TƯ PHÁP|KIỂM SÁT|THANH TRA|KẾ HOẠCH|ĐẦU TƯ|
    TÀI CHÍNH|VĂN PHÒNG|GIÁO DỤC|ĐÀO TẠO|Y TẾ|VĂN HÓA|THỂ THAO|DU LỊCH|XÃ HỘI|KINH TẾ|
    DOANH NGHIỆP|MẶT TRẬN|TỔ QUỐC|VIỆT NAM|CHÍNH TRỊ|LIÊN ĐOÀN|LAO ĐỘNG|THƯƠNG BINH|
    NÔNG NGHIỆP|PHÁT TRIỂN|NÔNG THÔN|CÔNG THƯƠNG|XÂY DỰNG|GIAO THÔNG|VẬN TẢI|TÀI NGUYÊN|
    MÔI TRƯỜNG|KHOA HỌC|CÔNG NGHỆ|THÔNG TIN|TRUYỀN THÔNG|NGOẠI VỤ|TÒA ÁN|THI HÀNH|DÂN SỰ|
    LUẬT GIA|CỰU CHIẾN|CHIẾN BINH|THANH NIÊN|PHỤ NỮ|NÔNG DÂN|HÀNH CHÍNH|CHẤP HÀNH|TRUNG ƯƠNG|
    ĐẠI BIỂU|QUỐC HỘI|THƯỜNG TRỰC|THƯỜNG VỤ|BIÊN PHÒNG|THỐNG KÊ|KHO BẠC|NHÀ NƯỚC|NGÂN HÀNG|
    BẢO HIỂM|HẢI QUAN|CHUYÊN ĐỀ|SỰ NGHIỆP|CÔNG LẬP|TRƯỜNG HỌC|BỆNH VIỆN|TRUNG TÂM|LƯU TRỮ|
    VĂN THƯ|TÔN GIÁO|DÂN TỘC|CẢI CÁCH|ĐOÀN THỂ""".split("|")
)
# Small words that lead into what follows ("các cơ quan"): a line does not end on them.
LEADING_WORDS = frozenset({"CÁC", "VÀ", "CỦA", "VỀ", "VỚI", "NHỮNG"})

LINE_COST = 1000  # one more line
NEVER = 100_000  # a break inside a word: only when the word alone is wider than the column
OVERFLOW = 1_000_000  # a line wider than the column
PLAIN_BREAK = 50  # between two words, neither after a comma nor before a place
AFTER_LEADING_WORD = 500


@functools.cache
def _metrics(bold: bool) -> tuple[dict[int, str], Any, int] | None:
    """Advance widths of the installed Times-compatible face (Liberation Serif has the same)."""
    try:
        from fontTools.ttLib import TTFont

        style = "bold" if bold else "regular"
        path = subprocess.run(
            ["fc-match", "-f", "%{file}", f"Liberation Serif:{style}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
        font = TTFont(path, lazy=True)
        return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm
    except Exception:  # no fontTools or fontconfig: estimate instead
        return None


def text_width_pt(text: str, size: float, *, bold: bool = False) -> float:
    metrics = _metrics(bold)
    if metrics is None:
        return 0.5 * size * len(text)
    cmap, hmtx, upm = metrics
    units = sum(hmtx[cmap[ord(c)]][0] if ord(c) in cmap else upm / 2 for c in text)
    return units * size / upm


def left_column_pt(
    margin_left_mm: float, margin_right_mm: float, *, page_width_mm: float = A4_WIDTH_MM
) -> float:
    """The usable width of the header's left column (issuer, number) on an A4 page (297 mm
    wide when the document is printed landscape)."""
    text_mm = page_width_mm - margin_left_mm - margin_right_mm
    return text_mm * LEFT_SHARE * PT_PER_MM  # measured without kerning, which only narrows caps


def header_lines(text: str, *, width_pt: float, size_pt: float, bold: bool = False) -> list[str]:
    """The printed lines of a header field: the user's own lines, each split only if wider
    than the column."""
    out: list[str] = []
    for line in text.splitlines():
        if line.strip():
            out += fit_line(line, width_pt=width_pt, size_pt=size_pt, bold=bold)
    return out


def fit_line(line: str, *, width_pt: float, size_pt: float, bold: bool) -> list[str]:
    """One line as few, even lines no wider than `width_pt`, broken only between words."""
    words = line.split()
    if text_width_pt(" ".join(words), size_pt, bold=bold) <= width_pt:
        return [" ".join(words)] if words else []
    costs = _break_costs(words)
    n = len(words)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
    for end in range(1, n + 1):
        for start in range(end):
            width = text_width_pt(" ".join(words[start:end]), size_pt, bold=bold)
            slack = width_pt - width
            over = OVERFLOW if slack < 0 and end - start > 1 else 0
            cost = best[start][0] + LINE_COST + over + slack * slack / 100 + costs[start]
            if cost < best[end][0]:
                best[end] = (cost, start)
    lines, end = [], n
    while end > 0:
        start = best[end][1]
        lines.append(" ".join(words[start:end]))
        end = start
    return lines[::-1]


def _break_costs(words: list[str]) -> list[float]:
    """costs[i]: the price of starting a new line at word i (costs[0] is the first line: 0)."""
    upper = [w.upper() for w in words]
    costs = [0.0] + [
        0.0 if words[i - 1].endswith((",", ";")) else float(PLAIN_BREAK)
        for i in range(1, len(words))
    ]
    for i in range(1, len(words)):
        if f"{upper[i - 1]} {upper[i]}" in COMPOUNDS:
            costs[i] = NEVER
        elif upper[i - 1] in LEADING_WORDS:
            costs[i] = AFTER_LEADING_WORD
    place = _place_start(upper)
    if place is not None:
        if place > 0 and costs[place] < NEVER:
            costs[place] = 0.0
        for i in range(place + 1, len(words)):
            costs[i] = NEVER
    return costs


def _place_start(upper: list[str]) -> int | None:
    """Where the place name at the end of the line begins (its marker), if there is one."""
    for i in range(len(upper) - 1, -1, -1):
        for marker in PLACE_MARKERS:
            k = len(marker)
            rest = len(upper) - i - k
            if tuple(upper[i : i + k]) == marker and 1 <= rest <= PLACE_NAME_MAX_WORDS:
                return i
    return None
