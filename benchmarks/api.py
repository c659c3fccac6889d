"""Service throughput: the member home page and a release table, against a bare FastAPI route.

    python benchmarks/api.py [--small] [--requests N] [--threads T]

PostgreSQL (``OSATNET_TEST_POSTGRES_URL`` or the local server) holds the demo alliance's 30
members and two closed quarters; osatnet runs under uvicorn in its own process, as does a
bare FastAPI app with one JSON route (the ceiling, measured in the same run). Requests come
from T client threads with keep-alive connections; p50/p99 are per-request latencies.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.firewall import quarters
from osatnet.auth import Auth
from osatnet.db import Database
from osatnet.demo.generator import generate_registry
from osatnet.demo.submissions import demo_submission_rows
from osatnet.registry import Registry
from osatnet.registry._export import export_registry
from osatnet.settings import Settings
from osatnet.vault import Vault
from osatnet.vault._context import Actor
from osatnet.vault.releases import Releases

PG_URL = os.environ.get(
    "OSATNET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ROLE = "osatnet_bench_app"
BARE_APP = """
from fastapi import FastAPI
app = FastAPI()
@app.get("/ping")
def ping() -> dict[str, bool]:
    return {"ok": True}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_schema() -> tuple[str, str]:
    """A fresh schema owned by an ordinary role (so row-level security is live, as in use)."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        exists = f"SELECT FROM pg_roles WHERE rolname = '{ROLE}'"
        create = f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER"
        conn.execute(text(f"DO $$ BEGIN IF NOT EXISTS ({exists}) THEN {create}; END IF; END $$"))
        conn.execute(text(f'CREATE SCHEMA "{schema}" AUTHORIZATION {ROLE}'))
    admin.dispose()
    url = make_url(PG_URL).set(username=ROLE, password=None).render_as_string(hide_password=False)
    return schema, f"{url}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def populate(db: Database, root: Path) -> tuple[str, int]:
    data = generate_registry(7)
    export_registry(root / "registry", data.members, data.sites, data.capabilities)
    registry = Registry(db)
    registry.import_path(root / "registry")
    keys = quarters(2)
    for key in keys:
        registry.add_period(key)
    registry.add_user("secretariat", "secretariat")
    for member_id, history in demo_submission_rows(data, 7, len(keys)).items():
        registry.add_user(f"{member_id.lower()}-admin", "member_admin", member_id=member_id)
        vault = Vault(db, f"{member_id.lower()}-admin")
        for key, rows in zip(keys, history, strict=True):
            vault.submit(key, rows)
    for key in keys:
        registry.set_period_status(key, "closed")
    release = Releases(db, Actor.load(db, "secretariat"))
    table = release.create(keys[-1], "weekly_capacity", "sum", ["process", "region"])
    Auth(db).set_password("m01-admin", "benchmark-password")
    return Auth(db).create_token("m01-admin", "bench").token, table.id


def serve(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--port", str(port),
                             "--log-level", "warning"], env=env)  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server on port {port} did not start")


def load(
    url: str, n: int, threads: int, headers: dict[str, str], cookies: httpx.Cookies | None
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = n // threads

    def worker() -> None:
        with httpx.Client(headers=headers, cookies=cookies, timeout=30) as client:
            for _ in range(per_thread):
                t0 = time.perf_counter()
                r = client.get(url)
                dt = time.perf_counter() - t0
                if r.status_code != 200:
                    raise RuntimeError(f"{url}: HTTP {r.status_code}")
                with lock:
                    latencies.append(dt)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - t0, latencies


def report(name: str, elapsed: float, lat: list[float], ceiling: float | None) -> float:
    rps = len(lat) / elapsed
    ordered = sorted(lat)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
    ratio = f"  {rps / ceiling:6.1%} of the bare route" if ceiling else ""
    print(f"  {name:<34} {rps:8.1f} req/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms{ratio}")
    return rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="few requests, for a smoke test")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    n = 40 if args.small else args.requests
    schema, url = pg_schema()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            settings = Settings(data_dir=root / "data")
            db = Database(url, settings=settings)
            t0 = time.perf_counter()
            token, release_id = populate(db, root)
            db.dispose()
            print(
                f"setup: 30 members, 2 quarters on PostgreSQL in {time.perf_counter() - t0:.1f} s"
            )
            (root / "bare_app.py").write_text(BARE_APP)
            env = {
                **os.environ,
                "OSATNET_DATABASE_URL": url,
                "OSATNET_DATA_DIR": str(root / "data"),
                "PYTHONPATH": str(root),
            }
            osatnet_port, bare_port = free_port(), free_port()
            procs.append(serve(["--factory", "osatnet.api.app:create_app"], env, osatnet_port))
            procs.append(serve(["bare_app:app"], env, bare_port))
            base = f"http://127.0.0.1:{osatnet_port}"
            with httpx.Client(base_url=base) as c:  # a browser session for the home page
                form = c.get("/login").text
                csrf = form.split('name="csrf" value="')[1].split('"')[0]
                c.post(
                    "/login",
                    data={"username": "m01-admin", "password": "benchmark-password", "csrf": csrf},
                )
                cookies = c.cookies
            print(f"{n} requests each, {args.threads} client threads:")
            ceiling = report(
                "bare FastAPI route (ceiling)",
                *load(f"http://127.0.0.1:{bare_port}/ping", n, args.threads, {}, None),
                None,
            )
            report(
                "member home page (web, session)",
                *load(f"{base}/", n, args.threads, {}, cookies),
                ceiling,
            )
            report(f"release table /api/v1/releases/{release_id}", *load(
                f"{base}/api/v1/releases/{release_id}", n, args.threads,
                {"Authorization": f"Bearer {token}"}, None), ceiling)  # fmt: skip
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        drop_schema(schema)


if __name__ == "__main__":
    main()
