"""A small world with the personas every view is checked against:
chair (head-unit staff), deputy, unit_a and unit_b (member units), outsider (a unit of another
bloc), reviewer (Ban TĐKT of the province), admin (site administrator), anonymous."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from blocs import services as bloc_services
from blocs.models import Bloc, BlocTerm, Province, Unit, User
from tests.factories import make_bloc, make_province, make_unit, make_user

YEAR = 2026


@pytest.fixture(autouse=True)
def _own_caches(settings, tmp_path_factory):
    """Each test its own caches: the draft PDFs' file cache in a directory of its own (the
    database cache was emptied by each test's rollback; files are not) and a new page cache."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    if caches["default"]["BACKEND"].endswith("FileBasedCache"):
        caches["default"]["LOCATION"] = str(tmp_path_factory.mktemp("cache"))
    settings.CACHES = caches


PERSONAS = ["chair", "deputy", "unit_a", "unit_b", "outsider", "reviewer", "admin", "anonymous"]


@dataclass
class World:
    province: Province
    bloc: Bloc
    term: BlocTerm
    head: Unit
    deputy_unit: Unit
    unit_a: Unit
    unit_b: Unit
    other_unit: Unit
    users: dict[str, User | None]
    year: int = YEAR


@pytest.fixture
def world(db) -> World:
    province = make_province("Tuyên Quang Thử")
    bloc = make_bloc(province, "Khối thi đua Nội chính Thử", symbol="KTĐNC")
    head = make_unit(province, "Bộ Chỉ huy Quân sự tỉnh Thử")
    deputy_unit = make_unit(province, "Công an tỉnh Thử")
    unit_a = make_unit(province, "Sở Tư pháp Thử")
    unit_b = make_unit(province, "Tòa án nhân dân tỉnh Thử")
    other_unit = make_unit(province, "Sở Y tế Thử")
    other_bloc = make_bloc(province, "Khối Văn hóa - Xã hội Thử")
    for unit in (head, deputy_unit, unit_a, unit_b):
        bloc_services.membership_add(bloc=bloc, unit=unit, joined_on=dt.date(YEAR - 1, 1, 1))
    bloc_services.membership_add(
        bloc=other_bloc, unit=other_unit, joined_on=dt.date(YEAR - 1, 1, 1)
    )
    term = bloc_services.term_set(
        bloc=bloc, year=YEAR, head_unit=head, deputy_units=[deputy_unit], basis="QĐ 443/QĐ-UBND"
    )
    bloc_services.term_set(bloc=other_bloc, year=YEAR, head_unit=other_unit)
    users: dict[str, User | None] = {
        "chair": make_user("chair", head, full_name="Nguyễn Văn Trưởng"),
        "deputy": make_user("deputy", deputy_unit, full_name="Trần Thị Phó"),
        "unit_a": make_user("unit_a", unit_a, full_name="Lê Văn A"),
        "unit_b": make_user("unit_b", unit_b, full_name="Phạm Thị B"),
        "outsider": make_user("outsider", other_unit, full_name="Hoàng Văn Ngoài"),
        "reviewer": make_user(
            "reviewer", None, reviewer_province=province, full_name="Đỗ Thị Thẩm"
        ),
        "admin": make_user("admin", None, is_staff=True, is_superuser=True, full_name="Quản Trị"),
        "anonymous": None,
    }
    return World(province, bloc, term, head, deputy_unit, unit_a, unit_b, other_unit, users)


@pytest.fixture
def client_for(client, world):
    """client_for("chair") → a test client logged in as that persona (anonymous: logged out)."""

    def _login(persona: str):
        client.logout()
        user = world.users[persona]
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploaded files of a test (the demo's evidence too) go to its own temporary directory."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Browser tests and the race tests run last: they need a transactional database, which is
    flushed afterwards (data migrations' rows included) — the other tests must not see that."""
    items.sort(key=lambda item: ("e2e" in item.keywords, _transactional(item)))


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from tests import matrix_tally

    matrix_tally.summary(terminalreporter)
