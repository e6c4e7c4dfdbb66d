"""The importer's vocabulary, as data in one place: document types, heading and bullet marks,
authority prefixes and ranks of a signature, report and meeting phrases of a schedule, the words
that open a legal basis, and the OCR misreadings worth a warning. A province with other habits
adds words here, not code elsewhere. Patterns are regular-expression fragments (case-insensitive
where used on running text)."""

from __future__ import annotations

# ------------------------------------------------------------------ header

# Document types printed where "KẾ HOẠCH" goes: a text with one of them is not a plan.
OTHER_TYPES = (
    "BÁO CÁO",
    "QUYẾT ĐỊNH",
    "TỜ TRÌNH",
    "THÔNG BÁO",
    "HƯỚNG DẪN",
    "CHỈ THỊ",
    "NGHỊ QUYẾT",
    "BIÊN BẢN",
    "GIẤY MỜI",
    "CÔNG VĂN",
    "CHƯƠNG TRÌNH",
    "QUY CHẾ",
    "QUY ĐỊNH",
    "ĐỀ ÁN",
    "PHƯƠNG ÁN",
    "BẢN GIAO ƯỚC THI ĐUA",
    "GIAO ƯỚC THI ĐUA",
)
# A capital line starting with one of these names a place (a parent body's locality).
PLACE_WORDS = ("TỈNH ", "THÀNH PHỐ ", "HUYỆN ", "QUẬN ", "THỊ XÃ ", "XÃ ", "PHƯỜNG ", "TP. ")
# Words of the national title (state: Quốc hiệu and tiêu ngữ; Party: the party's name).
NATIONAL = r"CỘNG\s+H\w{1,3}\s+XÃ\s+HỘI|ĐỘC\s+LẬP\s*[-–]|ĐẢNG\s+CỘNG\s+SẢN"
PARTY_TITLE = r"ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM"
# Words that open the text under the title (so the title has ended).
BODY_OPENERS = ("Căn cứ", "Thực hiện", "Hưởng ứng", "Theo", "Để", "Nhằm", "Sau khi")

# ------------------------------------------------------------------ bases

BASIS_OPENERS = ("Căn cứ", "Thực hiện", "Hưởng ứng", "Theo")
DOC_WORDS = (
    "Luật", "Bộ luật", "Hiến pháp", "Pháp lệnh", "Điều lệ", "Nghị định", "Nghị quyết", "Chỉ thị",
    "Quyết định", "Thông tư", "Kế hoạch", "Chương trình", "Hướng dẫn", "Công văn", "Văn bản",
    "Kết luận", "Quy định", "Quy chế", "Thông báo", "Đề án",
)  # fmt: skip
# References that need no number or date to count as a legal basis ("Luật Thi đua, khen thưởng").
STANDING_LAWS = ("Luật", "Bộ luật", "Hiến pháp", "Pháp lệnh", "Điều lệ")

# ------------------------------------------------------------------ body

# Bullet marks as offices type them; "–" and "•" print as "-".
BULLET_MARKS = "-–•+*"
BULLET_AS = {"–": "-", "•": "-"}

# ------------------------------------------------------------------ tail

RECIPIENTS_LABEL = r"N[ơo]i\s+nhận"
# Authority prefixes of NĐ 30 (TM. KT. Q. TL. TUQ.) and of the Party (T/M K/T T/L).
AUTHORITY_PREFIXES = ("TM", "KT", "Q", "TL", "TUQ", "T/M", "K/T", "T/L", "T.M", "K.T")
RANKS = (
    "Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Thượng tá", "Trung tá",
    "Thiếu tá", "Đại úy", "Đại uý", "Thượng úy", "Thượng uý", "Trung úy", "Trung uý", "Thiếu úy",
    "Thiếu uý",
)  # fmt: skip
# First words of office titles: a line starting with one of them is no person's name.
OFFICE_WORDS = {
    "ủy", "uỷ", "trưởng", "phó", "bí", "chủ", "giám", "chánh", "tổng", "thư", "cục", "ban",
    "văn", "sở", "phòng", "khối", "cụm", "hội", "trung", "thành", "tỉnh", "huyện", "đảng",
    "chính", "tham", "kế", "thủ", "người", "các", "cơ", "đơn",
}  # fmt: skip
# Notes left where the signature goes ("(Đã ký)", "Ký tên, đóng dấu").
SIGNING_NOTES = r"^\(?\s*(?:đã\s+ký|ký(?:\s+tên)?[,\s].*|ký,.*|dấu)\s*\)?\.?$"

# ------------------------------------------------------------------ schedule

ORDINALS = {"nhất": 1, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6}
ROMAN_SEQ = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# Words before a deadline's date.
DUE_WORDS = r"trước|chậm nhất(?:\s+là)?|hạn\s+chót|không\s+quá"
# A clause with a deadline is a report deadline only when it says what is sent.
REPORT_VERBS = r"báo cáo|gửi|nộp|hoàn thành|tổng hợp|đăng ký|tổng kết|sơ kết|ký kết|chấm điểm|hồ sơ"
# What a deadline is for, by the nearest phrase before it (first match wins on a tie).
DEADLINE_KINDS = (
    (r"ký kết giao ước|ký giao ước", "ky_giao_uoc"),
    (r"đăng ký|bản giao ước|giao ước", "dang_ky"),
    (r"bình xét|xếp hạng|suy tôn|đề nghị khen thưởng|hồ sơ khen thưởng", "binh_xet"),
    (r"sơ kết|\b0?6 tháng|giữa năm", "bao_cao_so_ket"),
    (r"tổng kết|báo cáo năm|cả năm|cuối năm", "bao_cao_tong_ket"),
)
MEETINGS = (
    ("hoi_nghi_so_ket", r"sơ kết"),
    ("hoi_nghi_tong_ket", r"tổng kết"),
    ("phat_dong", r"phát động"),
    ("ky_giao_uoc", r"ký kết giao ước|ký giao ước"),
)
# Undated activities named inside a phase.
ACTIVITIES = (
    (r"hội nghị phát động|phát động thi đua|phát động phong trào", "phat_dong"),
    (r"ký kết giao ước|ký giao ước", "ky_giao_uoc"),
    (r"\bđăng ký\b", "dang_ky"),
    (r"tổ chức\s+(?:hội nghị\s+)?sơ kết|hội nghị sơ kết", "hoi_nghi_so_ket"),
    (r"tổ chức\s+(?:hội nghị\s+)?tổng kết|hội nghị tổng kết", "hoi_nghi_tong_ket"),
    (r"bình xét|xếp hạng|suy tôn", "binh_xet"),
)
# Phrases that tie a report to the first or the last phase without naming it.
FIRST_HALF = r"6 tháng đầu năm|sáu tháng đầu năm|giữa năm"
# Milestone kinds that belong, when the text names no phase, to the first or the last phase.
FIRST_PHASE_KINDS = {"bao_cao_so_ket", "hoi_nghi_so_ket"}
LAST_PHASE_KINDS = {"bao_cao_tong_ket", "hoi_nghi_tong_ket"}

# ------------------------------------------------------------------ review

# OCR misreadings of "Khối" (only as a word on its own, next to bloc words; a person named Khôi
# is no misreading).
OCR_SUSPECTS = (
    r"\bTrường\s+Khôi\b",
    r"\b(?:Phó|các\s+cơ\s+quan\s+trong)\s+Khôi\b",
    r"\bKhôi\s+(?:thi\s+đua|Nội\s+chính|trưởng|phó|các\s+cơ\s+quan)\b",
    r"\bKHÔI\s+(?:THI\s+ĐUA|NỘI\s+CHÍNH)\b",
)
