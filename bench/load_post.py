"""The deadline-day POST mix of the load benchmark (bench/load.py): on the generated province's
open blocs (their 2023 on its deadline day, see bench/province.py), member units save score
lines of their draft sheets the way the sheet page does (htmx, one line at a time, with the
line's revision and the CSRF token of their session), and the secretariats save the schedule
of their draft amendment (open the form, change a deadline's addressee, save). A save counts
as an error when the server answers ≥ 400, when a line comes back without "Đã lưu" (stale,
refused), or when the schedule form comes back instead of the plan page.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import aiohttp

REVISION = 'name="l{pk}-revision" value="(\\d+)"'
SAVED = 'data-testid="line-saved"'
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class LineSaver:
    """One member unit's account and the graded lines of its draft sheet it saves in turn:
    (url of the line, entry id, two values it alternates between)."""

    login: str
    sheet_url: str
    lines: list[tuple[str, int, str, str]]


@dataclass
class ScheduleSaver:
    login: str
    form_url: str


@dataclass
class PostStats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"line": [], "schedule": []})
    errors: list[str] = field(default_factory=list)


def plan_savers(province, users: int) -> tuple[list[LineSaver], list[ScheduleSaver]]:
    """Who saves what: the heads of the open blocs other than bloc 0 (the pages bench reads
    bloc 0) edit their schedules, their members (not head or deputy) their sheets."""
    from django.urls import reverse

    from bench import province_data as data
    from blocs.models import Bloc, User
    from plans.models import Plan
    from scoring.models import Criterion, Submission

    year = data.YEAR + 1
    blocs = list(Bloc.objects.filter(province=province, terms__year=year).order_by("pk").distinct())
    order = {data.bloc_name(b): b for b in range(len(Bloc.objects.filter(province=province)))}
    blocs = sorted(blocs, key=lambda b: order[b.name])
    blocs = blocs[1:] or blocs
    schedules = []
    for bloc in blocs:
        plan = Plan.objects.get(bloc=bloc, year=year, status=Plan.Status.DRAFT)
        head = data.username(order[bloc.name], 0)
        url = reverse("plans:edit_schedule", args=(bloc.pk, year, plan.pk))
        schedules.append(ScheduleSaver(head, url))
    lines = []
    for u in range(2, 1000):
        for bloc in blocs:
            if len(lines) + len(schedules) >= users:
                break
            login = data.username(order[bloc.name], u)
            user = User.objects.filter(username=login).first()
            if user is None:
                continue
            sub = Submission.objects.get(
                round__bloc=bloc, round__year=year, round__kind="tong_ket", unit=user.unit
            )
            args = (bloc.pk, year, sub.pk)
            todo = []
            for e in sub.entries.select_related("criterion").filter(
                criterion__kind=Criterion.Kind.GRADED
            ):
                c = e.criterion
                high, low = c.max_points, c.max_points - (c.step or c.max_points)
                todo.append(
                    (reverse("scoring:sheet_line", args=(*args, e.pk)), e.pk, f"{high}", f"{low}")
                )
            lines.append(LineSaver(login, reverse("scoring:submission", args=args), todo))
        if len(lines) + len(schedules) >= users:
            break
    schedules = schedules[: max(1, users - len(lines))]
    return lines, schedules


class FormFields(HTMLParser):
    """The fields a browser would post from the page's POST forms that send to `marker` (their
    action names it, or they have none: they post to the page itself)."""

    def __init__(self, marker: str):
        super().__init__()
        self.marker, self.inside, self.fields = marker, False, []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or ""
            posts = (a.get("method") or "").lower() == "post"
            self.inside = posts and (not action or self.marker in action)
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


async def save_lines(session, base, saver: LineSaver, stats: PostStats, until: float) -> None:
    async with session.get(base + saver.sheet_url) as r:
        page = await r.text()
    token = CSRF.search(page).group(1)
    revisions = {
        pk: int(re.search(REVISION.format(pk=pk), page).group(1)) for _, pk, *_ in saver.lines
    }
    turn = 0
    while time.monotonic() < until:
        url, pk, high, low = saver.lines[turn % len(saver.lines)]
        value = low if (turn // len(saver.lines)) % 2 == 0 else high
        turn += 1
        form = {
            f"l{pk}-value": value,
            f"l{pk}-explanation": f"Kết quả thực hiện đến ngày nộp (lần lưu {turn}).",
            f"l{pk}-revision": str(revisions[pk]),
            "csrfmiddlewaretoken": token,
        }
        headers = {"HX-Request": "true", "Referer": base + saver.sheet_url}
        start = time.monotonic()
        try:
            async with session.post(base + url, data=form, headers=headers) as r:
                body = await r.text()
                status = r.status
        except aiohttp.ClientError as exc:
            stats.errors.append(f"line {pk}: {exc}")
            continue
        elapsed = time.monotonic() - start
        found = re.search(REVISION.format(pk=pk), body)
        if status >= 400 or SAVED not in body or found is None:
            stats.errors.append(f"line {pk}: HTTP {status}, not saved")
        else:
            stats.latencies["line"].append(elapsed)
        if found:
            revisions[pk] = int(found.group(1))


async def save_schedules(session, base, saver: ScheduleSaver, stats: PostStats, until: float):
    turn = 0
    while time.monotonic() < until:
        async with session.get(base + saver.form_url) as r:
            page = await r.text()
        parser = FormFields(saver.form_url)
        parser.feed(page)
        fields = parser.fields
        turn += 1
        suffix = " (đầu mối: Văn phòng)" if turn % 2 else ""
        fields = [
            (k, f"Thường trực Khối thi đua{suffix}" if k == "ms-0-addressee" else v)
            for k, v in fields
        ]
        headers = {"Referer": base + saver.form_url}
        start = time.monotonic()
        try:
            async with session.post(
                base + saver.form_url, data=fields, headers=headers, allow_redirects=False
            ) as r:
                await r.read()
                status = r.status
        except aiohttp.ClientError as exc:
            stats.errors.append(f"schedule {saver.form_url}: {exc}")
            continue
        if status != 302:
            stats.errors.append(f"schedule {saver.form_url}: HTTP {status} (form shown again)")
        else:
            stats.latencies["schedule"].append(time.monotonic() - start)
