"""The exchange inside the platform: :class:`Exchange`, on behalf of an :class:`Actor`.

Members post offers and requests for a reporting period and read back only their own; the
secretariat clears a week server-side (aggregate scope: numbers are decrypted, optimised and
sealed again per side, never returned raw). Every read of confidential numbers is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..errors import ConflictError, InputError, NotFoundError
from ..logs import get_logger
from ..registry.catalog import UserRole
from ..registry.models import Member, ReportingPeriod
from ..registry.service import Registry
from ..vault._base import ActingService
from ..vault._context import Scope, scoped_session
from ._platform_checks import Located, check_offer, check_request, load_sites, process_keys
from ._platform_clear import clear_week
from ._platform_files import read_offer_drafts, read_request_drafts
from ._platform_records import (
    MatchRecord,
    OfferDraft,
    OfferRecord,
    PostReport,
    RequestDraft,
    RequestRecord,
    RunInfo,
    offer_ref,
    open_match,
    open_offer,
    open_request,
    parse_ref,
    request_ref,
    seal_offer,
    seal_request,
)
from ._platform_weeks import parse_week
from ._types import ClearingOptions, Pricing
from .models import ExchangeMatch, ExchangeOffer, ExchangeRequest, ExchangeRun

__all__ = ["Exchange"]

log = get_logger("exchange")


class Exchange(ActingService):
    """The capacity exchange of the alliance, seen through one user's rights.

    >>> ex = Exchange.login(db, "m01-admin")                          # doctest: +SKIP
    >>> ex.post_offer("2026Q3", process="final_test", week="2026-W36",
    ...               capacity=40_000, unit_price=7.5)                # doctest: +SKIP
    >>> Exchange(db, "secretariat").clear("2026Q3", "2026-W36")     # doctest: +SKIP
    """

    # -- posting ---------------------------------------------------------------------------
    def post_offer(
        self, period: str, *, process: str, week: str | int, capacity: float,
        unit_price: float, site_id: str | None = None, label: str | None = None,
    ) -> OfferRecord:  # fmt: skip
        """Post spare capacity of one of the caller's sites (its only one when not given)."""
        draft = OfferDraft(process, week, capacity, unit_price, site_id, label)
        return self._post(period, [Located(draft)], [], None)[1][0]

    def post_request(
        self, period: str, *, process: str, quantity: float, site_id: str | None = None,
        earliest_week: str | int | None = None, due_week: str | int | None = None,
        max_price: float | None = None, splittable: bool = True, min_split: float = 0.0,
        unserved_penalty: float | None = None, requires: Iterable[str] = (),
        label: str | None = None,
    ) -> RequestRecord:  # fmt: skip
        """Post an overflow order; ``unserved_penalty=None`` means it must be served in full."""
        draft = RequestDraft(
            process, quantity, site_id, earliest_week, due_week, max_price, splittable,
            min_split, unserved_penalty, tuple(requires), label,
        )  # fmt: skip
        return self._post(period, [], [Located(draft)], None)[2][0]

    def post_files(
        self, period: str, *, offers: str | Path | None = None, requests: str | Path | None = None
    ) -> PostReport:
        """Post offers.csv and/or requests.csv (the ``exchange solve`` format): all or nothing."""
        if offers is None and requests is None:
            raise InputError("give an offers file, a requests file or both")
        offer_items = read_offer_drafts(offers) if offers is not None else []
        request_items = read_request_drafts(requests) if requests is not None else []
        for path, items in ((offers, offer_items), (requests, request_items)):
            if path is not None and not items:
                raise InputError("the file has a header but no rows", file=str(path))
        names = [Path(p).name for p in (offers, requests) if p is not None]
        return self.post(period, offers=offer_items, requests=request_items,
                         source=", ".join(names))  # fmt: skip

    def post(
        self,
        period: str,
        *,
        offers: Sequence[OfferDraft | Located[OfferDraft]] = (),
        requests: Sequence[RequestDraft | Located[RequestDraft]] = (),
        source: str | None = None,
    ) -> PostReport:
        """Check every draft against the registry, then store them all (or none), encrypted."""
        located_offers = [o if isinstance(o, Located) else Located(o) for o in offers]
        located_requests = [r if isinstance(r, Located) else Located(r) for r in requests]
        return self._post(period, located_offers, located_requests, source)[0]

    def _post(
        self,
        period: str,
        offers: list[Located[OfferDraft]],
        requests: list[Located[RequestDraft]],
        source: str | None,
    ) -> tuple[PostReport, list[OfferRecord], list[RequestRecord]]:
        member_id = self.who.require_member()
        key = Registry(self.db).period(period).key
        with scoped_session(self.db, Scope.MEMBER, member_id) as s:
            _require_open(s, key)
            sites, processes = load_sites(s, member_id), process_keys(s)
            checked_offers = [check_offer(o, key, member_id, sites, processes) for o in offers]
            checked_requests = [check_request(r, key, member_id, sites, processes)
                                for r in requests]  # fmt: skip
            aes = self.keyring.data_key(s, member_id, create=True)
            offer_records, request_records = [], []
            for c in checked_offers:
                row = ExchangeOffer(
                    member_id=member_id, period_key=key, site_id=c.site_id, process_key=c.process,
                    week=c.week, label=c.label, status="open", created_by=self.who.username,
                    capacity_ct=b"", unit_price_ct=b"",
                )  # fmt: skip
                s.add(row)
                s.flush()  # the row id is part of the ciphertexts' associated data
                seal_offer(aes, row, c.capacity, c.unit_price)
                offer_records.append(_offer_record(row, c.capacity, c.unit_price))
            for q in checked_requests:
                req = ExchangeRequest(
                    member_id=member_id, period_key=key, site_id=q.site_id, process_key=q.process,
                    earliest_week=q.earliest_week, due_week=q.due_week, splittable=q.splittable,
                    requires=";".join(sorted(q.requires)), label=q.label, status="open",
                    created_by=self.who.username, quantity_ct=b"", max_price_ct=b"",
                    min_split_ct=b"", penalty_ct=b"",
                )  # fmt: skip
                s.add(req)
                s.flush()
                numbers = (q.quantity, q.max_price, q.min_split, q.unserved_penalty)
                seal_request(aes, req, *numbers)
                request_records.append(_request_record(req, *numbers))
            _audit.append(
                s, self.who.username, "exchange-post", f"exchange {member_id}/{key}",
                {"offers": len(offer_records), "requests": len(request_records),
                 "source": source},
            )  # fmt: skip
        log.info("member %s posted %d offers and %d requests for %s",
                 member_id, len(offer_records), len(request_records), key)  # fmt: skip
        report = PostReport(member_id=member_id, period=key,
                            offers=[o.ref for o in offer_records],
                            requests=[r.ref for r in request_records])  # fmt: skip
        return report, offer_records, request_records

    def withdraw(self, ref: str) -> str:
        """Withdraw one of the caller's open offers (``O12``) or requests (``R7``)."""
        member_id = self.who.require_member()
        parsed = parse_ref(ref)
        if parsed is None:
            raise InputError(f"expected an offer (O12) or request (R7) reference, got {ref!r}")
        kind, row_id = parsed
        with scoped_session(self.db, Scope.MEMBER, member_id) as s:
            row: ExchangeOffer | ExchangeRequest | None
            if kind == "offer":
                row = s.get(ExchangeOffer, row_id)
            else:
                row = s.get(ExchangeRequest, row_id)
            if row is not None and row.member_id != member_id:
                row = None
            # Another member's row reads as missing: its existence is not the caller's business.
            if row is None:
                raise NotFoundError(f"member {member_id} has no {kind} {ref.upper()}")
            if row.status != "open":
                raise ConflictError(f"{kind} {ref.upper()} is {row.status}, not open")
            _require_open(s, row.period_key)
            row.status = "withdrawn"
            _audit.append(s, self.who.username, "exchange-withdraw",
                          f"exchange {kind} {ref.upper()}", {"member": member_id})  # fmt: skip
        return ref.upper()

    # -- reading one's own -----------------------------------------------------------------
    def _audit_read(self, s: Session, what: str, own: str, key: str, rows: int) -> None:
        _audit.append(s, self.who.username, "read", f"exchange {what} {own}/{key}",
                      {"rows": rows})  # fmt: skip

    def my_offers(self, period: str, *, member_id: str | None = None) -> list[OfferRecord]:
        """The caller's own offers of ``period``, decrypted. Audited."""
        own = self.own_member(member_id, "read the exchange offers of")
        key = Registry(self.db).period(period).key
        stmt = select(ExchangeOffer).where(
            ExchangeOffer.member_id == own, ExchangeOffer.period_key == key
        )
        with scoped_session(self.db, Scope.MEMBER, own) as s:
            rows = list(s.scalars(stmt.order_by(ExchangeOffer.id)))
            aes = self.keyring.data_key(s, own, create=True)
            out = [_offer_record(r, *open_offer(aes, r)) for r in rows]
            self._audit_read(s, "offers", own, key, len(out))
        return out

    def my_requests(self, period: str, *, member_id: str | None = None) -> list[RequestRecord]:
        """The caller's own requests of ``period``, decrypted. Audited."""
        own = self.own_member(member_id, "read the exchange requests of")
        key = Registry(self.db).period(period).key
        stmt = select(ExchangeRequest).where(
            ExchangeRequest.member_id == own, ExchangeRequest.period_key == key
        )
        with scoped_session(self.db, Scope.MEMBER, own) as s:
            rows = list(s.scalars(stmt.order_by(ExchangeRequest.id)))
            aes = self.keyring.data_key(s, own, create=True)
            out = [_request_record(r, *open_request(aes, r)) for r in rows]
            self._audit_read(s, "requests", own, key, len(out))
        return out

    def my_matches(
        self, period: str, *, week: str | int | None = None, member_id: str | None = None
    ) -> list[MatchRecord]:
        """The caller's side of its matches: the counterparty is named to the two sides only."""
        own = self.own_member(member_id, "read the exchange matches of")
        key = Registry(self.db).period(period).key
        stmt = (
            select(ExchangeMatch, ExchangeRun, Member)
            .join(ExchangeRun, ExchangeMatch.run_id == ExchangeRun.id)
            .join(Member, ExchangeMatch.counterparty_id == Member.id)
            .where(ExchangeMatch.member_id == own, ExchangeRun.period_key == key)
        )
        if week is not None:
            try:
                wk = parse_week(week, key)
            except InputError as exc:
                raise InputError(exc.reason, column="week") from None
            stmt = stmt.where(ExchangeRun.week == wk)
        with scoped_session(self.db, Scope.MEMBER, own) as s:
            aes = self.keyring.data_key(s, own, create=True)
            out = []
            for m, run, other in s.execute(stmt.order_by(ExchangeMatch.id)):
                quantity, price, logistics = open_match(aes, m)
                out.append(MatchRecord(
                    run_id=run.id, period=key, week=run.week, side=m.side,
                    request_ref=request_ref(m.request_id), offer_ref=offer_ref(m.offer_id),
                    counterparty=other.id, counterparty_name=other.name, quantity=quantity,
                    price=price, logistics=logistics,
                ))  # fmt: skip
            self._audit_read(s, "matches", own, key, len(out))
        return out

    # -- clearing (the secretariat) --------------------------------------------------------
    def clear(
        self, period: str, week: str | int, *, pricing: Pricing = "pay-as-offered",
        time_limit: float = 60.0, gap: float = 1e-4, cost_per_km: float = 0.0,
        fairness: float | None = None,
    ) -> RunInfo:  # fmt: skip
        """Clear one week: open offers of the week against open requests whose window holds it.

        Runs server-side in the aggregate scope; stores each match twice (one copy per side,
        under that side's key); offers and requests that took part become ``cleared``.
        Returns counts and alliance-wide totals only.
        """
        self.who.require(UserRole.SECRETARIAT)
        key = Registry(self.db).period(period).key
        try:
            wk = parse_week(week, key)
            options = ClearingOptions(
                logistics_cost_per_unit_km=cost_per_km, fairness_share=fairness,
                time_limit=time_limit, mip_gap=gap, pricing=pricing,
            )  # fmt: skip
        except InputError as exc:
            raise InputError(exc.reason, column="week") from None
        except ValueError as exc:
            raise InputError(str(exc)) from None
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            _require_open(s, key)
            info = clear_week(s, self.keyring, key, wk, options, self.who.username)
        log.info("cleared %s of %s: %s, %d matches", wk, key, info.status, info.matches)
        return info


def _require_open(session: Session, key: str) -> None:
    period = session.get(ReportingPeriod, key)
    if period is not None and period.status != "open":
        raise ConflictError(f"period {key} is closed: the exchange of its weeks is over")


def _offer_record(row: ExchangeOffer, capacity: float, unit_price: float) -> OfferRecord:
    return OfferRecord(
        ref=offer_ref(row.id), label=row.label, member_id=row.member_id, period=row.period_key,
        site_id=row.site_id, process=row.process_key, week=row.week, capacity=capacity,
        unit_price=unit_price, status=row.status,
    )  # fmt: skip


def _request_record(
    row: ExchangeRequest, quantity: float, max_price: float | None, min_split: float,
    penalty: float | None,
) -> RequestRecord:  # fmt: skip
    return RequestRecord(
        ref=request_ref(row.id), label=row.label, member_id=row.member_id,
        period=row.period_key, site_id=row.site_id, process=row.process_key, quantity=quantity,
        earliest_week=row.earliest_week, due_week=row.due_week, max_price=max_price,
        splittable=row.splittable, min_split=min_split, unserved_penalty=penalty,
        requires=[t for t in row.requires.split(";") if t], status=row.status,
    )  # fmt: skip
