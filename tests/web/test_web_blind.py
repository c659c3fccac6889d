"""The blind-mode page: nodes for everyone, a member's own uploads only, jobs for the office."""

from __future__ import annotations

from pathlib import Path

from osatnet.blind.auction_platform import BlindAuctions
from osatnet.blind.client import BlindValue
from osatnet.blind.config import keygen
from osatnet.blind.platform import BlindService

from .conftest import Web


def test_blind_page_shows_own_uploads_and_jobs_by_role(web: Web, tmp_path: Path) -> None:
    sec = BlindService(web.db, "sec")
    for i in range(3):
        key = keygen(tmp_path / f"n{i}", i).public_key_b64()
        sec.register_node(i, key, operator=f"Org {i}", host="127.0.0.1", port=12000 + i)
    values = [BlindValue("weekly_capacity", 4321.5, "s1", "final_test"),
              BlindValue("weekly_capacity", 765.25, "s1", "burn_in")]  # fmt: skip
    BlindService(web.db, "m1-admin").upload("2026Q3", values)
    BlindAuctions(web.db, "sec").create("2026Q3", 36, ["final_test"], low=100, high=200)
    with web.signed_in("m1-user") as c:
        page = c.get("/blind").text
        assert "Org 2" in page and "Compute nodes" in page
        assert '<td class="num">2</td>' in page  # its own upload: two values
        assert "4321.5" not in page  # never a value, even its own (the platform has none)
        assert "Sealed-bid auctions" in page and "final_test" not in page  # no price yet
    with web.signed_in("m2-user") as c:
        page = c.get("/blind").text
        assert '<td class="num">2</td>' not in page and "nothing uploaded" in page
        assert "Release jobs" not in page
    with web.signed_in("aud", language="ja") as c:
        page = c.get("/blind").text
        assert "計算ノード" in page and "公表ジョブ" in page and "再実行" not in page
        assert "封印入札オークション" in page
