"""Dashboard fixtures: the API's live server with passwords set, and signed-in browsers (httpx).

The server is :func:`tests.api.conftest.live` (SQLite and PostgreSQL); modules that need only
one database override ``db_url``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from argon2 import PasswordHasher

from osatnet.auth import Auth
from osatnet.auth import service as auth_service
from osatnet.db import Database
from osatnet.registry import Registry, UserRole
from osatnet.vault import Vault
from osatnet.vault._context import Actor
from osatnet.vault.releases import Releases
from tests.api.conftest import ROLES, LiveServer, live  # noqa: F401 - the server fixture
from tests.helpers import write_registry
from tests.vault.conftest import GOOD

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@dataclass
class Web:
    url: str
    db: Database

    def client(self, language: str = "en") -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, headers={"Accept-Language": language})

    @contextmanager
    def signed_in(self, user: str | None, language: str = "en") -> Iterator[httpx.Client]:
        """A client signed in as ``user`` (anonymous for None)."""
        with self.client(language) as client:
            if user is not None:
                token = csrf_of(client.get("/login").text)
                r = client.post(
                    "/login",
                    data={"username": user, "password": PASSWORD, "csrf": token, "next": "/"},
                )
                assert r.status_code == 303, r.text
            yield client

    @staticmethod
    def csrf(client: httpx.Client, page: str = "/") -> str:
        return csrf_of(client.get(page).text)


@pytest.fixture
def web(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Web:  # noqa: F811 - imported
    # Production-strength argon2 costs ~0.2 s a hash; these tests sign in hundreds of times and
    # test the pages, not the hashing (tests/auth does). The server runs in this process.
    monkeypatch.setattr(
        auth_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    auth = Auth(live.db)
    for user in ROLES:
        auth.set_password(user, PASSWORD)
    return Web(live.url, live.db)


@pytest.fixture
def web_submitted(web: Web) -> Web:
    """m1 has submitted the standard file for 2026Q3."""
    Vault(web.db, "m1-admin").submit_file(_good_file(web), "2026Q3")
    return web


def _good_file(web: Web) -> str:
    path = web.db.settings.data_dir / "m1-2026Q3.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GOOD, encoding="utf-8")
    return str(path)


# Six members with final test, so that 2026Q2's quartiles can be released.
_MEMBERS = "".join(
    f"m{i},Member {i} Co.,会員{i}株式会社,JP,Kumamoto,<50,osat\n" for i in range(4, 8)
)
_SITES = "".join(f"s{i},m{i},Plant {i},JP,Oita,,,ISO 9001\n" for i in range(4, 8))
_CAPS = "".join(f"s{i},final_test,100000,false\n" for i in range(4, 8))
_COSTS = {"m1": 9.0, "m2": 8.0, "m4": 10.0, "m5": 12.0, "m6": 7.5, "m7": 11.0}


@pytest.fixture
def benchmarked(web: Web) -> Web:
    """Quartiles of 2026Q2 released over six members; m1 has submitted 2026Q2 and 2026Q3."""
    db = web.db
    folder = db.settings.data_dir / "registry-more"
    head = "member_id,name,name_ja,country,prefecture,employee_band,role\n"
    registry = Registry(db)
    registry.import_path(
        write_registry(
            folder,
            members=head + _MEMBERS,
            sites="site_id,member_id,name,country,region,lat,lon,certifications\n" + _SITES,
            capabilities="site_id,process,weekly_capacity,automotive\n"
            + _CAPS
            + "s2,final_test,1000,false\n",
        )
    )
    registry.configure_alliance(min_contributors=3, dominance_n=1, dominance_k_pct=60.0)
    registry.set_period_status("2026Q2", "open")
    for member, cost in _COSTS.items():
        site = {"m1": "s1", "m2": "s2"}.get(member, f"s{member[1:]}")
        actor = Actor(f"{member}-loader", UserRole.MEMBER_ADMIN, member)
        rows = [
            {
                "member_id": member,
                "site_id": site,
                "process": "final_test",
                "measure": m,
                "value": v,
            }
            for m, v in (
                ("unit_cost_labour", cost / 2),
                ("unit_cost_materials", cost / 4),
                ("unit_cost_depreciation", cost / 8),
                ("unit_cost_overhead", cost / 8),
                ("yield_pct", 97.0 + cost / 10),
                ("utilisation_pct", 60.0 + 2 * cost),
            )
        ]
        Vault(db, actor).submit("2026Q2", rows, source="fixture")
    registry.set_period_status("2026Q2", "closed")
    releases = Releases(db, Actor("sec", UserRole.SECRETARIAT))
    for measure in ("unit_cost_total", "yield_pct", "utilisation_pct"):
        for stat in ("p25", "median", "p75"):
            releases.create("2026Q2", measure, stat, ["process"], method="heuristic")
    Vault(db, "m1-admin").submit_file(_good_file(web), "2026Q3")
    return web
