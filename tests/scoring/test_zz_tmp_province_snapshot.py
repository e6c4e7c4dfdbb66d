"""TEMPORARY snapshot harness (helper session) — deleted after use."""
import datetime as dt
import io
import json
import os
import re

from django.urls import reverse
from openpyxl import load_workbook

from blocs.models import Bloc, Membership
from plans.models import Plan
from scoring.models import Proposal, ProvinceRules, Registration, Round, Submission, Title
from scoring.services import proposals as services
from tests.factories import make_bloc_world, make_province, make_user, make_bloc, make_unit
from tests.scoring.ranking_data import make_ranking, tong_ket_round
from blocs import services as bloc_services

OUT = os.environ.get("SNAP_OUT", "/tmp/snap/x")


def test_snapshot(db, client):
    os.makedirs(OUT, exist_ok=True)
    p = make_province()
    other = make_province("Tỉnh khác")
    ob, om, _ = make_bloc_world(units=3, province=other)
    make_ranking(ob, 2026, om)
    services.proposals_generate(bloc=ob, year=2026, actor=None)
    # A: adopted with proposals in many statuses, signed registrations, final sheets, a plan
    a, am, _ = make_bloc_world(units=6, province=p)
    make_ranking(a, 2026, am, ineligible=am[1:2], no_co=am[2:3])
    services.proposals_generate(bloc=a, year=2026, actor=None)
    props = list(Proposal.objects.filter(bloc=a).order_by("pk"))
    for pr, st in zip(props, ["submitted", "returned", "decided", "approved"]):
        pr.status = st
        if st == "returned":
            pr.returned_reason = "Thiếu hồ sơ"
        pr.save()
    Proposal.objects.filter(pk=props[2].pk).update(award=Title.CO_CP)
    for u in am[:4]:
        Registration.objects.create(bloc=a, year=2026, unit=u, status="signed")
    Registration.objects.create(bloc=a, year=2026, unit=am[4], status="submitted")
    Registration.objects.create(bloc=a, year=2025, unit=am[5], status="signed")
    rnd = tong_ket_round(a, 2026)
    rnd2 = Round.objects.create(bloc=a, year=2026, key="tk2", kind=Round.Kind.TONG_KET, name="TK 2",
        due=dt.date(2026, 12, 20), addressee="Trưởng khối", with_score_sheet=True)
    rnd3 = Round.objects.create(bloc=a, year=2026, key="sk", kind=Round.Kind.SO_KET if hasattr(Round.Kind, "SO_KET") else Round.Kind.TONG_KET, name="SK",
        due=dt.date(2026, 6, 20), addressee="Trưởng khối", with_score_sheet=False)
    for u in am[:3]:
        Submission.objects.create(round=rnd, unit=u, status="final")
    Submission.objects.create(round=rnd2, unit=am[0], status="final")
    Submission.objects.create(round=rnd2, unit=am[4], status="final")
    Submission.objects.create(round=rnd3, unit=am[5], status="final")
    Submission.objects.create(round=rnd, unit=am[5], status="submitted")
    # B: computed ranking, no proposals; C: no term; D: an earlier year's term only
    b, bm, _ = make_bloc_world(units=3, province=p)
    make_ranking(b, 2026, bm, adopted=False)
    c = make_bloc(p, kind=Bloc.Kind.CUM) if "kind" in make_bloc.__code__.co_varnames or True else None
    for i in range(2):
        bloc_services.membership_add(bloc=c, unit=make_unit(p), joined_on=dt.date(2026, 3, 1))
    left = make_unit(p)
    bloc_services.membership_add(bloc=c, unit=left, joined_on=dt.date(2024, 3, 1))
    Membership.objects.filter(unit=left).update(left_on=dt.date(2025, 6, 1))
    d, dm, _ = make_bloc_world(units=2, province=p, year=2025)
    # E: adopted, Cờ CP submitted (a candidate)
    e, em, _ = make_bloc_world(units=4, province=p)
    make_ranking(e, 2026, em)
    services.proposals_generate(bloc=e, year=2026, actor=None)
    Proposal.objects.filter(bloc=e).update(status="submitted")
    Proposal.objects.filter(pk=Proposal.objects.filter(bloc=e).order_by("pk")[0].pk).update(award=Title.CO_CP)
    from tests.reports.plan_data import make_plan
    for bloc, year, status in [(a, 2026, "issued"), (b, 2026, "draft"), (d, 2024, "issued"), (e, 2026, "issued"), (e, 2026, "draft")]:
        extra = {"number": 10 + year % 10 + bloc.pk, "issue_date": dt.date(year, 1, 15)} if status == "issued" else {}
        make_plan(bloc=bloc, year=year, status=status, **extra)
    print("plans", list(Plan.objects.values_list("bloc_id", "year", "status")))
    print("coCP", list(Proposal.objects.filter(award=Title.CO_CP).values_list("bloc_id", "status")))
    client.force_login(make_user("rev", None, reviewer_province=p))
    urls = [reverse("blocs:province", args=[p.pk])]
    base = urls[0]
    for q in ["?nam=2026", "?nam=2025", "?nam=2024", "?nam=2026&loai=cum", "?nam=2026&loai=khoi"] + [
        f"?nam=2026&tinh-trang={s}" for s in ["chua-xep-hang", "da-xep-hang", "cho-xet", "tra-lai", "da-quyet-dinh", "x"]
    ]:
        urls.append(base + q)
    out = {}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.core.cache import cache
    for url in urls[1:2] + [reverse("scoring:province_export", args=[p.pk, 2026])]:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        print("COUNT", url, len(ctx))
    for url in urls:
        html = client.get(url).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        out[url] = html
    ProvinceRules.objects.create(province=p, co_cp_pct=50, co_cp_basis="Căn cứ thử")
    out["rules"] = client.get(base + "?nam=2026").content.decode()
    for year in (2026, 2025, 2024):
        r = client.get(reverse("scoring:province_export", args=[p.pk, year]))
        wb = load_workbook(io.BytesIO(r.content))
        out[f"xlsx{year}"] = {ws.title: [[repr(c.value) + ("B" if c.font and c.font.b else "") for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
    with open(f"{OUT}/snap.json", "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=True)
