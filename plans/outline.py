"""The body editor's text form: the section tree as the numbered outline a Word user types.

    I. MỤC ĐÍCH, YÊU CẦU
    1. Mục đích
    - Một gạch đầu dòng.
    1.1. Mục con không tiêu đề, nội dung viết ngay sau số.

A numbered line whose text ends like a sentence (. ; ! ?) is a numbered paragraph; otherwise its
text is the heading. Paragraphs are separated by blank lines or new lines.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from plans.importer.model import ParsedSection
from plans.importer.text import MAX_PARAGRAPH_CHARS, MAX_SOURCE_CHARS, unmarked, vn_number

LABEL = re.compile(r"^(?P<label>(?:[IVXLC]+[.-])|(?:\d+(?:\.\d+)*\.)|(?:[a-zđ]\)))\s+(?P<rest>.*)$")
MAX_SECTIONS = 2000


def _depth(label: str) -> int:
    if re.match(r"^[IVXLC]+[.-]$", label):
        return 0
    if label.endswith(")"):
        return -1  # a letter point sits under whatever numbered item precedes it
    return label.count(".")  # "1." -> 1, "1.1." -> 2


def parse_outline(text: str) -> list[ParsedSection]:
    """Parse the editor's outline into a tree; raise ValidationError (Vietnamese) when it is not one."""
    _check_length(text)
    roots: list[ParsedSection] = []
    stack: list[tuple[int, ParsedSection]] = []
    count = 0
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        match = LABEL.match(line)
        if match:
            label, rest = match["label"], match["rest"].strip()
            depth = _depth(label)
            if depth < 0:
                depth = (
                    (stack[-1][0] + 1)
                    if stack and not stack[-1][1].label.endswith(")")
                    else (stack[-1][0] if stack else 1)
                )
            is_paragraph = unmarked(rest).rstrip("*_ ").endswith((".", ";", "!", "?"))
            node = ParsedSection(
                label=label,
                title="" if is_paragraph else rest,
                paragraphs=[rest] if is_paragraph else [],
                children=[],
            )
            while stack and stack[-1][0] >= depth:
                stack.pop()
            (stack[-1][1].children if stack else roots).append(node)
            stack.append((depth, node))
            count += 1
            if count > MAX_SECTIONS:
                raise ValidationError("Nội dung có quá nhiều mục (tối đa 2.000).")
        else:
            if not stack:
                raise ValidationError(
                    "Nội dung phải bắt đầu bằng một mục có số thứ tự, ví dụ “I. MỤC ĐÍCH, YÊU CẦU”."
                )
            stack[-1][1].paragraphs.append(line)
    if not roots:
        raise ValidationError("Hãy nhập nội dung kế hoạch.")
    return roots


def _check_length(text: str) -> None:
    if len(text) > MAX_SOURCE_CHARS:
        raise ValidationError(f"Nội dung quá dài: tối đa {vn_number(MAX_SOURCE_CHARS)} ký tự.")
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_PARAGRAPH_CHARS:
            raise ValidationError(
                f"Đoạn ở dòng {number} quá dài: một đoạn tối đa {vn_number(MAX_PARAGRAPH_CHARS)} "
                "ký tự; hãy tách thành nhiều đoạn."
            )


def render_outline(sections: list[ParsedSection]) -> str:
    """The inverse of parse_outline for the editor's textarea."""
    lines: list[str] = []

    def walk(nodes: list[ParsedSection]) -> None:
        for node in nodes:
            paragraphs = list(node.paragraphs)
            if node.title:
                lines.append(f"{node.label} {node.title}".strip())
            elif paragraphs:
                lines.append(f"{node.label} {paragraphs.pop(0)}".strip())
            else:
                lines.append(node.label)
            lines.extend(paragraphs)
            walk(node.children)

    walk(sections)
    return "\n".join(lines)
