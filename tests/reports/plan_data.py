"""Plans for document tests and the benchmark, built directly with the ORM (no services), so the
renderer is tested on exactly the rows it reads. The long body is seed 000's text (Khối thi đua
Nội chính tỉnh Tuyên Quang, 2022), split into sections the way the importer stores them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from blocs.models import Bloc, BlocTerm, Province, Unit
from plans.models import LegalBasis, Plan, Recipient, Section, SignatureLine
from plans.services import default_profile

SEED_000 = Path(__file__).resolve().parent / "data" / "seed_000_body.txt"
LABEL = re.compile(r"^(?P<label>[IVX]+[.\-]|\d+(?:\.\d+)*\.)\s+(?P<rest>.+)$")


@dataclass
class Node:
    label: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


def parse_outline(text: str) -> tuple[list[str], list[Node], str]:
    """(preamble paragraphs, section tree, closing) of an outline: "I. TITLE", "1. Title",
    "1.1. A sentence." (an untitled item), other paragraphs belong to the last item."""
    preamble: list[str] = []
    roots: list[Node] = []
    stack: list[tuple[int, Node]] = []
    closing = ""
    for para in [p.strip() for p in text.split("\n\n") if p.strip()]:
        if para.startswith("Trên đây"):
            closing = para
            continue
        match = LABEL.match(para)
        if not match:
            (stack[-1][1].paragraphs if stack else preamble).append(para)
            continue
        label, rest = match["label"], match["rest"]
        depth = 1 if label[0] in "IVX" else label.count(".") + 1
        untitled = rest.endswith((".", ";", ":")) and depth > 1
        node = Node(label, "" if untitled else rest, [rest] if untitled else [])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(node)
        stack.append((depth, node))
    return preamble, roots, closing


def seed_000() -> tuple[list[str], list[Node], str]:
    return parse_outline(SEED_000.read_text(encoding="utf-8"))


SHORT_BODY = [
    Node(
        "I.",
        "MỤC ĐÍCH, YÊU CẦU",
        [],
        [
            Node(
                "1.",
                "Mục đích",
                [
                    "- Phát huy tinh thần đoàn kết, chủ động, sáng tạo của mỗi cá nhân, tập thể.",
                    "- Kịp thời phát hiện những tập thể, cá nhân điển hình để **nhân rộng**.",
                ],
            ),
            Node(
                "2.",
                "",
                ["Phong trào thi đua phải được phát động sâu rộng, *thiết thực*, hiệu quả."],
            ),
        ],
    ),
    Node(
        "II.",
        "Tổ chức thực hiện",
        [],
        [
            Node("1.", "Tiến độ", ["Đợt 1: Từ ngày 01/01/2027 đến ngày 31/5/2027."]),
        ],
    ),
]


def save_sections(plan: Plan, nodes: list[Node], parent: Section | None = None) -> int:
    count = 0
    for node in nodes:
        count += 1
        section = Section.objects.create(
            plan=plan,
            parent=parent,
            order=Section.objects.filter(plan=plan).count(),
            label=node.label,
            title=node.title,
            content="\n\n".join(node.paragraphs),
        )
        count += save_sections(plan, node.children, section)
    return count


def make_bloc(party: bool = False) -> Bloc:
    name = "Hà Giang" if party else "Tuyên Quang"
    province, _ = Province.objects.get_or_create(name=f"{name} (thử)")
    Unit.objects.get_or_create(province=province, name="Bộ Chỉ huy Quân sự tỉnh (thử)")
    bloc_name = "Khối giao ước thi đua các ban Đảng" if party else "Khối thi đua Nội chính"
    bloc, _ = Bloc.objects.get_or_create(
        province=province, name=bloc_name, defaults={"symbol": "KTĐ" if party else "KTĐNC"}
    )
    return bloc


def make_plan(
    *,
    party: bool = False,
    status: str = Plan.Status.DRAFT,
    number: int | None = None,
    issue_date: dt.date | None = None,
    year: int = 2022,
    draft_month: int | None = 1,
    title: str = "Phát động phong trào thi đua Khối Nội chính tỉnh Tuyên Quang năm 2022",
    body: list[Node] | None = None,
    preamble: list[str] | None = None,
    closing: str = "Trên đây là Kế hoạch phát động phong trào thi đua năm 2022, đề nghị các cơ "
    "quan, đơn vị thực hiện nghiêm túc.",
    bases: list[str] | None = None,
    bases_style: str = Plan.BasesStyle.PARAGRAPH,
    recipients: list[tuple[str, str, bool]] | None = None,
    signature: list[tuple[str, str, bool]] | None = None,
    bloc: Bloc | None = None,
    **fields: object,
) -> Plan:
    """A KẾ HOẠCH in the state (NĐ 30) or Party (HD 36) format, with its child rows."""
    bloc = bloc or make_bloc(party)
    # The year's head (no signer entered): issuing re-checks the signer against the term.
    head, _ = Unit.objects.get_or_create(
        province=bloc.province, name="Bộ Chỉ huy Quân sự tỉnh (thử)"
    )
    BlocTerm.objects.get_or_create(bloc=bloc, year=year, defaults={"head_unit": head})
    # The rows of a data migration: restored if a browser test (transactional) flushed them.
    profile = default_profile(party=party)
    plan = Plan.objects.create(
        bloc=bloc,
        year=year,
        format_profile=profile,
        issuer_kind=Plan.IssuerKind.PARTY_BLOC if party else Plan.IssuerKind.BLOC,
        parent_issuer="TỈNH HÀ GIANG" if party else "TỈNH TUYÊN QUANG",
        issuer="KHỐI GIAO ƯỚC THI ĐUA\nCÁC BAN ĐẢNG TỈNH ỦY" if party else "KHỐI THI ĐUA NỘI CHÍNH",
        doc_type="KH",
        symbol="KTĐ" if party else "KTĐNC",
        number=number,
        place="Hà Giang" if party else "Tuyên Quang",
        issue_date=issue_date,
        draft_month=draft_month,
        title=title,
        bases_style=bases_style,
        preamble="\n\n".join(
            preamble
            if preamble is not None
            else [
                "Khối thi đua xây dựng Kế hoạch phát động phong trào thi đua với những nội dung sau:"
            ]
        ),
        closing=closing,
        status=status,
        **fields,
    )
    LegalBasis.objects.bulk_create(
        LegalBasis(plan=plan, order=i, text=t) for i, t in enumerate(bases or [])
    )
    save_sections(plan, body if body is not None else SHORT_BODY)
    if recipients is None:
        recipients = (
            [
                ("Ban Thi đua - Khen thưởng tỉnh", "báo cáo", False),
                ("Các cơ quan thành viên trong Khối", "", False),
                ("Lưu Ban Tuyên giáo Tỉnh ủy", "", True),
            ]
            if party
            else [
                ("Ban TĐKT tỉnh", "Báo cáo", False),
                ("Các cơ quan trong Khối thi đua", "T/hiện", False),
                ("Thủ trưởng Bộ CHQS tỉnh", "", False),
                ("Lưu: VT, TH. H15", "", True),
            ]
        )
    Recipient.objects.bulk_create(
        Recipient(plan=plan, order=i, name=n, purpose=p, is_archive=a)
        for i, (n, p, a) in enumerate(recipients)
    )
    if signature is None:
        signature = (
            [
                ("position", "TRƯỞNG KHỐI", False),
                ("name", "Vũ Mạnh Hà", True),
                ("title", "Ủy viên Ban Thường vụ Tỉnh ủy", True),
                ("title", "Trưởng Ban Tuyên giáo Tỉnh ủy", True),
            ]
            if party
            else [
                ("position", "TRƯỞNG KHỐI THI ĐUA", False),
                ("position", "BỘ CHQS TỈNH TUYÊN QUANG", False),
                ("position", "CHÍNH ỦY", True),
                ("rank", "Đại tá", True),
                ("name", "Hà Đình Khiêm", True),
            ]
        )
    SignatureLine.objects.bulk_create(
        SignatureLine(plan=plan, order=i, role=r, text=t, after_gap=g)
        for i, (r, t, g) in enumerate(signature)
    )
    return plan


def make_seed_plan(**kwargs: object) -> Plan:
    """Seed 000 at full length (about seven A4 pages)."""
    preamble, body, closing = seed_000()
    kwargs.setdefault("preamble", preamble)
    kwargs.setdefault("closing", closing)
    return make_plan(body=body, **kwargs)
