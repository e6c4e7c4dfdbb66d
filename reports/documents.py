"""Document builders: plan rows → a typed, JSON-safe context that every renderer (HTML/PDF, DOCX)
prints the same way. Builders format (numbers, dates, casing, labels, punctuation) so that the
templates only place text; an issued document freezes this context and can be re-rendered from it.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args, get_origin, get_type_hints

from django.db.models import prefetch_related_objects

from blocs.prefetch import prefetch_together
from plans import datelinks
from plans.importer.text import spans, unmarked
from plans.models import FormatProfile, Plan, SignatureLine
from reports.textfit import header_lines, left_column_pt

SCHEMA = 1
DOC_TYPE_NAME = "KẾ HOẠCH"
DRAFT_MARKER = "(Dự thảo)"
BLANK_NUMBER = " " * 5  # where the văn thư writes the number by hand
BLANK_DAY = " " * 4
BLANK_MONTH = " " * 4
ROMAN_LABEL = re.compile(r"^(?P<num>[IVXLCDM]+)\s*[.\-–)]?$")
BULLET = re.compile(r"^(?P<marker>[-+])\s+(?P<text>.*)$", re.S)
CLOSING_TAIL = re.compile(r"[\s.;,]*(?:\./\.|/\.)?[\s.;,]*$")


# ---------------------------------------------------------------- the context


@dataclass
class Run:
    """A piece of text with one style; templates escape `text` and wrap it in <b>/<i>."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    """One printed paragraph of the body: kind "heading" (level 1 = mục I., 2 = khoản 1., …),
    "paragraph" or "bullet" (marker "-" or "+")."""

    kind: str
    runs: list[Run]
    level: int = 0
    label: str = ""
    marker: str = ""

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return _from_data(cls, data)


@dataclass
class SignLine:
    role: str
    text: str


@dataclass
class Signature:
    """Lines above the signing space (authority, positions) and below it (name, titles)."""

    before_gap: list[SignLine]
    after_gap: list[SignLine]


@dataclass
class Recipients:
    label: str
    underline: bool
    items: list[str]


@dataclass
class ProfileNumbers:
    """The format profile's numbers as plain values (frozen with the document)."""

    code: str
    family: str
    margin_top_mm: float
    margin_bottom_mm: float
    margin_left_mm: float
    margin_right_mm: float
    body_pt: float
    national_title_pt: float
    motto_pt: float
    issuer_pt: float
    number_pt: float
    place_date_pt: float
    doc_type_pt: float
    title_pt: float
    recipients_label_pt: float
    recipients_pt: float
    signature_pt: float
    page_number_pt: float
    first_line_indent_mm: float
    paragraph_spacing_pt: float
    line_height: float
    issuer_mark: str
    title_mark: str
    heading_style: str
    closing_mark: str

    @property
    def is_party(self) -> bool:
        return self.family == FormatProfile.Family.PARTY

    def css_vars(self) -> list[tuple[str, str]]:
        """CSS custom properties for the print stylesheet (dot decimals, whatever the locale)."""
        pt = {
            "body": self.body_pt,
            "national-title": self.national_title_pt,
            "motto": self.motto_pt,
            "issuer": self.issuer_pt,
            "number": self.number_pt,
            "place-date": self.place_date_pt,
            "doc-type": self.doc_type_pt,
            "title": self.title_pt,
            "recipients-label": self.recipients_label_pt,
            "recipients": self.recipients_pt,
            "signature": self.signature_pt,
        }
        out = [(f"--{name}-size", f"{value:g}pt") for name, value in pt.items()]
        out += [
            ("--indent", f"{self.first_line_indent_mm:g}mm"),
            ("--para-space", f"{self.paragraph_spacing_pt:g}pt"),
            ("--line-height", f"{self.line_height:g}"),
        ]
        return out

    @property
    def page_margin_css(self) -> str:
        m = (self.margin_top_mm, self.margin_right_mm, self.margin_bottom_mm, self.margin_left_mm)
        return " ".join(f"{v:g}mm" for v in m)


@dataclass
class PlanDocContext:
    """Everything a KẾ HOẠCH prints, in order. `to_dict()` is plain JSON; `from_dict()` rebuilds
    it, so an issued document re-renders from its frozen context, never from live rows."""

    profile: ProfileNumbers
    parent_issuer_lines: list[str]
    issuer_lines: list[str]
    national_title: str
    motto: str
    number_text: str
    is_draft: bool
    draft_marker: str
    place_date_text: str
    doc_type_name: str
    title_lines: list[str]
    bases_style: str
    bases: list[Block]
    preamble: list[Block]
    theme: str
    body: list[Block]
    closing: list[Block]
    recipients: Recipients
    signature: Signature
    filename_stem: str
    kind: str = "plan"
    schema: int = SCHEMA
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanDocContext:
        return _from_data(cls, data)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _from_data(tp: Any, data: Any) -> Any:
    """Rebuild dataclasses from plain data; unknown keys are ignored, missing ones take defaults."""
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        return tp(**{k: _from_data(hints[k], v) for k, v in data.items() if k in names})
    if get_origin(tp) is list:
        (item,) = get_args(tp)
        return [_from_data(item, x) for x in data]
    return data


# ---------------------------------------------------------------- text helpers


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def parse_runs(text: str, *, bold: bool = False, italic: bool = False) -> list[Run]:
    """`**bold**` and `*italic*` marks → runs; unmatched asterisks stay literal text."""
    return [Run(*span) for span in spans(nfc(text), bold=bold, italic=italic)]


def plain_text(text: str) -> str:
    return unmarked(nfc(text))


def split_paragraphs(content: str) -> list[str]:
    """Paragraphs are separated by blank lines; inside one, lines that start "- " or "+ " are
    bullets of their own and other lines join with a space."""
    out: list[str] = []
    for chunk in re.split(r"\n\s*\n", nfc(content).replace("\r\n", "\n")):
        lines = [x.strip() for x in chunk.split("\n") if x.strip()]
        for line in lines:
            if out and not BULLET.match(line) and line is not lines[0]:
                out[-1] = f"{out[-1]} {line}"
            else:
                out.append(line)
    return out


def text_blocks(content: str, *, level: int = 0) -> list[Block]:
    blocks = []
    for para in split_paragraphs(content):
        bullet = BULLET.match(para)
        if bullet:
            blocks.append(
                Block("bullet", parse_runs(bullet["text"]), level, marker=bullet["marker"])
            )
        else:
            blocks.append(Block("paragraph", parse_runs(para), level))
    return blocks


def vn_month(month: int) -> str:
    """NĐ 30: months 1 and 2 take a leading zero (tháng 01, tháng 02); others don't (tháng 3)."""
    return f"{month:02d}" if month <= 2 else str(month)


def ascii_slug(text: str) -> str:
    """ASCII file-name part: diacritics removed, đ → d, anything else unsafe → '-'."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def caps(text: str) -> str:
    return nfc(text).upper()


# ---------------------------------------------------------------- builder pieces


def profile_numbers(profile: FormatProfile) -> ProfileNumbers:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(ProfileNumbers):
        value = getattr(profile, f.name)
        values[f.name] = float(value) if f.type == "float" else value
    return ProfileNumbers(**values)


def number_text(plan: Plan, profile: FormatProfile, *, draft: bool) -> str:
    number = BLANK_NUMBER if draft or plan.number is None else f"{plan.number:02d}"
    return profile.number_pattern.format(
        number=number, doc_type=nfc(plan.doc_type), symbol=nfc(plan.symbol)
    )


def place_date_text(plan: Plan, *, draft: bool) -> str:
    place = nfc(plan.place).strip()
    if not draft and plan.issue_date:
        d = plan.issue_date
        day, month, year = f"{d.day:02d}", vn_month(d.month), d.year
    else:
        day = BLANK_DAY
        month = vn_month(plan.draft_month) if plan.draft_month else BLANK_MONTH
        year = plan.year
    return f"{place}, ngày {day} tháng {month} năm {year}"


def heading_label(label: str, level: int, heading_style: str) -> str:
    """Level-1 labels follow the profile: "I." (state) or "I-" (Party), whatever was stored."""
    label = nfc(label).strip()
    match = ROMAN_LABEL.match(label)
    if level == 1 and match:
        return match["num"] + ("-" if heading_style == FormatProfile.Heading.DASH else ".")
    return label


def body_blocks(
    sections: list[Any], heading_style: str, dates: dict[str, Any] | None = None
) -> list[Block]:
    """The section tree → flat printed blocks. Level-1 titles CAPS bold; titled items bold
    (level 3+ bold italic); an untitled item prints its label at the start of its first paragraph.
    Dates linked to the schedule print its current values (`dates`: plans.datelinks records)."""
    dates = dates or {}
    children: dict[int | None, list[Any]] = {}
    for s in sections:
        children.setdefault(s.parent_id, []).append(s)
    blocks: list[Block] = []

    def walk(parent_id: int | None, level: int) -> None:
        for s in children.get(parent_id, []):
            label = heading_label(s.label, level, heading_style)
            paras = text_blocks(datelinks.resolve(s.content, dates), level=level)
            title = nfc(datelinks.resolve(s.title, dates)).strip()
            if title or level == 1:
                text = caps(plain_text(title)) if level == 1 else title
                runs = parse_runs(text, bold=True, italic=level >= 3)
                blocks.append(Block("heading", runs, level, label=label))
            elif label and paras and paras[0].kind == "paragraph":
                paras[0].runs.insert(0, Run(f"{label} "))
                paras[0].label = label
            elif label:
                blocks.append(Block("paragraph", [Run(label)], level, label=label))
            blocks.extend(paras)
            walk(s.pk, level + 1)

    walk(None, 1)
    return blocks


def bases_blocks(plan: Plan, bases: list[str], preamble: str) -> list[Block]:
    """List style: "- Căn cứ …;" italic lines, the last ending ".". Paragraph style: the bases
    are usually quoted in the preamble already; the ones that are not print as one paragraph."""
    items = [re.sub(r"^[-–+]\s*", "", nfc(b).strip()).rstrip(" ;.,") for b in bases]
    items = [b for b in items if b]
    if plan.bases_style == Plan.BasesStyle.LIST:
        return [
            Block(
                "bullet",
                parse_runs(f"{b}{'.' if i == len(items) - 1 else ';'}", italic=True),
                marker="-",
            )
            for i, b in enumerate(items)
        ]
    flat = re.sub(r"\s+", " ", plain_text(preamble))
    missing = [b for b in items if re.sub(r"\s+", " ", plain_text(b)) not in flat]
    if not missing:
        return []
    return [Block("paragraph", parse_runs("; ".join(missing) + "."))]


def theme_blocks(theme: str, printed: str) -> list[Block]:
    """The theme prints on its own only when the text does not already quote it."""
    theme = nfc(theme).strip().strip('“”"')
    if not theme or re.sub(r"\s+", " ", plain_text(theme)) in printed:
        return []
    return [Block("paragraph", [Run("Chủ đề thi đua: ", bold=True), Run(f"“{theme}”", True, True)])]


def closing_blocks(closing: str, mark: str) -> list[Block]:
    paras = text_blocks(closing)
    if paras:
        last = paras[-1]
        text = last.runs[-1].text
        last.runs[-1] = Run(
            CLOSING_TAIL.sub("", text) + mark, last.runs[-1].bold, last.runs[-1].italic
        )
    return paras


def recipients_of(rows: list[Any], profile: FormatProfile) -> Recipients:
    """ "- Name (purpose);" items (Party: ","), archive lines last, the very last ending "."."""
    sep = "," if profile.is_party else ";"
    archive_prefix = "Lưu " if profile.is_party else "Lưu: "
    ordered = [r for r in rows if not r.is_archive] + [r for r in rows if r.is_archive]
    texts = []
    for r in ordered:
        name = re.sub(r"^[-–+•]\s*", "", nfc(r.name).strip()).rstrip(" ;,.")
        if r.is_archive and not name.lower().startswith("lưu"):
            name = archive_prefix + name
        purpose = nfc(r.purpose).strip().strip("()")
        texts.append(f"- {name} ({purpose})" if purpose else f"- {name}")
    items = [t + ("." if i == len(texts) - 1 else sep) for i, t in enumerate(texts)]
    return Recipients(nfc(profile.recipients_label), profile.recipients_label_underline, items)


def signature_of(rows: list[Any]) -> Signature:
    """Merge "rank" + "name" into one line; the signing space sits before the first after_gap
    line (or, when none is marked, before the name)."""
    lines: list[tuple[SignLine, bool]] = []
    pending_rank: tuple[str, bool] | None = None
    for r in rows:
        text = nfc(r.text).strip()
        if r.role in (SignatureLine.Role.AUTHORITY, SignatureLine.Role.POSITION):
            text = caps(text)
        if r.role == SignatureLine.Role.RANK:
            if pending_rank:
                lines.append((SignLine("rank", pending_rank[0]), pending_rank[1]))
            pending_rank = (text, r.after_gap)
            continue
        after = r.after_gap
        if pending_rank and r.role == SignatureLine.Role.NAME:
            text, after = f"{pending_rank[0]} {text}", pending_rank[1] or after
        elif pending_rank:
            lines.append((SignLine("rank", pending_rank[0]), pending_rank[1]))
        pending_rank = None
        lines.append((SignLine(r.role, text), after))
    if pending_rank:
        lines.append((SignLine("rank", pending_rank[0]), pending_rank[1]))
    gap = next((i for i, (_, after) in enumerate(lines) if after), None)
    if gap is None:
        gap = next(
            (i for i, (ln, _) in enumerate(lines) if ln.role in ("name", "rank")), len(lines)
        )
    return Signature([ln for ln, _ in lines[:gap]], [ln for ln, _ in lines[gap:]])


def filename_stem(plan: Plan, *, draft: bool) -> str:
    """How a văn thư files it: KH-11-KTDNC-2022-01-24 (issued) / Du-thao-KH-KTDNC-2022."""
    kind, symbol = ascii_slug(plan.doc_type) or "VB", ascii_slug(plan.symbol) or "VB"
    if draft or plan.number is None or plan.issue_date is None:
        return f"Du-thao-{kind}-{symbol}-{plan.year}"
    return f"{kind}-{plan.number:02d}-{symbol}-{plan.issue_date.isoformat()}"


# ---------------------------------------------------------------- the builder


SHORT_LISTS = ("bases", "recipients", "signature_lines")  # a few lines each: one query together
LISTS = ("sections", "phases", "milestones")


def load_plan(plan: Plan, *, fresh: bool = True) -> Plan:
    """The plan with its profile and every child list in a fixed number of queries (5), read
    again from the database; `fresh=False`: `plan` itself was loaded in this request with its
    profile (a view's gate), only its lists are loaded (4)."""
    if fresh:
        plan = Plan.objects.select_related("format_profile").get(pk=plan.pk)
    prefetch_together(plan, *SHORT_LISTS)
    prefetch_related_objects([plan], *LISTS)
    return plan


def build_plan_context(plan: Plan, *, fresh: bool = True) -> PlanDocContext:
    """Build the printable context of a KẾ HOẠCH from its rows (bounded queries, no writes).

    A plan that is not issued (nor superseded/revoked) is a draft: blank number and day, the month
    from `draft_month` when set, and the "(Dự thảo)" marker under the number. `fresh`: see
    load_plan.
    """
    plan = load_plan(plan, fresh=fresh)
    profile = plan.format_profile
    draft = not plan.is_frozen or plan.number is None
    bases = [b.text for b in plan.bases.all()]
    preamble = text_blocks(plan.preamble)
    dates = datelinks.by_key(datelinks.records(plan.phases.all(), plan.milestones.all(), plan.year))
    body = body_blocks(list(plan.sections.all()), profile.heading_style, dates)
    printed = " ".join(b.text for b in preamble + body)
    printed = re.sub(r"\s+", " ", printed)
    column = left_column_pt(float(profile.margin_left_mm), float(profile.margin_right_mm))
    size = float(profile.issuer_pt)
    return PlanDocContext(
        profile=profile_numbers(profile),
        parent_issuer_lines=header_lines(caps(plan.parent_issuer), width_pt=column, size_pt=size),
        issuer_lines=header_lines(caps(plan.issuer), width_pt=column, size_pt=size, bold=True),
        national_title=caps(profile.national_title),
        motto=nfc(profile.motto),
        number_text=number_text(plan, profile, draft=draft),
        is_draft=draft,
        draft_marker=DRAFT_MARKER if draft else "",
        place_date_text=place_date_text(plan, draft=draft),
        doc_type_name=DOC_TYPE_NAME,
        title_lines=[plain_text(x).strip() for x in nfc(plan.title).splitlines() if x.strip()],
        bases_style=plan.bases_style,
        bases=bases_blocks(plan, bases, plan.preamble),
        preamble=preamble + theme_blocks(plan.theme, printed),
        theme=nfc(plan.theme),
        body=body,
        closing=closing_blocks(plan.closing, profile.closing_mark),
        recipients=recipients_of(list(plan.recipients.all()), profile),
        signature=signature_of(list(plan.signature_lines.all())),
        filename_stem=filename_stem(plan, draft=draft),
        extra={"plan_id": plan.pk, "year": plan.year, "status": plan.status},
    )
