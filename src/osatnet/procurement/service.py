"""Joint procurement in the platform: :class:`Procurement`, on behalf of an :class:`Actor`.

The secretariat opens a round with its resilience rules, members submit their confidential
demand (encrypted with their own data key), the secretariat enters suppliers' quotes, closes
the round and runs the award; each member then reads its own share and savings, and the
secretariat the alliance's totals. The award decrypts in the aggregate scope and never
returns a member's figure to anyone but that member.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit as _audit
from ..errors import ConflictError, InputError, NotFoundError
from ..logs import get_logger
from ..registry.catalog import UserRole
from ..registry.service import Registry
from ..vault._base import ActingService
from ..vault._context import Scope, scoped_session
from ..vault._keys import decrypt_value, encrypt_value
from ._allocate import Method
from ._rounds_award import RoundOutcome, compute_round
from ._rounds_schemas import DemandReceipt, DemandRecord, MemberResult, RoundInfo, RoundSummary
from ._rounds_store import (
    DemandInput,
    demand_aad,
    load_demands,
    load_quotes,
    quote_row,
    read_demand_input,
    read_quote_input,
    result_aad,
)
from ._types import Quote, ResilienceRules
from .models import (
    ProcurementAwardLine,
    ProcurementDemand,
    ProcurementQuote,
    ProcurementResult,
    ProcurementRound,
)

__all__ = ["Procurement"]

log = get_logger("procurement")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
DEFAULT_TARGET = 0.20


class Procurement(ActingService):
    """Procurement rounds of the alliance, seen through one user's rights.

    >>> sec = Procurement.login(db, "secretariat")          # doctest: +SKIP
    >>> sec.open_round("2027Q1", rules=ResilienceRules(max_supplier_share=0.7))  # doctest: +SKIP
    >>> Procurement(db, "m01-admin").submit_demand("2027Q1", "demand.csv")  # doctest: +SKIP
    """

    # -- rounds (secretariat) ------------------------------------------------------------------
    def open_round(
        self,
        key: str,
        *,
        title: str | None = None,
        rules: ResilienceRules | None = None,
        savings_target: float = DEFAULT_TARGET,
    ) -> RoundInfo:
        """Open a round for demand; its resilience rules apply to every category."""
        self.who.require(UserRole.SECRETARIAT)
        if not _KEY.match(key):
            raise InputError(
                f"round key {key!r}: expected 1-40 letters, digits, '.', '_' or '-' "
                "(such as 2027Q1)",
                column="round",
            )
        if not 0 < savings_target < 1:
            raise InputError(
                f"savings target expects a fraction in (0, 1) such as 0.2, got {savings_target:g}"
            )
        rules = rules or ResilienceRules()
        with self.db.session() as s:
            if s.scalar(select(ProcurementRound).where(ProcurementRound.key == key)) is not None:
                raise ConflictError(f"round {key} exists already")
            row = ProcurementRound(
                key=key, title=title, status="open", opened_by=self.who.username,
                max_supplier_share=rules.max_supplier_share,
                max_country_share=rules.max_country_share, min_suppliers=rules.min_suppliers,
                savings_target=savings_target, opened_at=datetime.now(UTC),
            )  # fmt: skip
            s.add(row)
            s.flush()
            _audit.append(s, self.who.username, "round_open", f"procurement round {key}",
                          {"min_suppliers": rules.min_suppliers, "target": savings_target,
                           "max_supplier_share": rules.max_supplier_share,
                           "max_country_share": rules.max_country_share})  # fmt: skip
            return RoundInfo.model_validate(row)

    def close_round(self, key: str) -> RoundInfo:
        """Stop accepting demand; the award can then run."""
        self.who.require(UserRole.SECRETARIAT)
        with self.db.session() as s:
            row = _round(s, key)
            if row.status != "open":
                raise ConflictError(f"round {key} is {row.status} already")
            row.status, row.closed_by, row.closed_at = (
                "closed",
                self.who.username,
                datetime.now(UTC),
            )
            _audit.append(s, self.who.username, "round_close", f"procurement round {key}")
            return RoundInfo.model_validate(row)

    def rounds(self) -> list[RoundInfo]:
        """Every round with its rules and state (no demand): any user may list them."""
        _ = self.who  # a user is needed, whatever its role
        with self.db.session() as s:
            rows = s.scalars(select(ProcurementRound).order_by(ProcurementRound.opened_at))
            return [RoundInfo.model_validate(r) for r in rows]

    # -- demand (members) ---------------------------------------------------------------------
    def submit_demand(self, key: str, source: DemandInput) -> DemandReceipt:
        """Submit the caller's member's demand (all or nothing); it replaces an earlier one.

        ``source`` is a demand.csv file (``member_id,category,quantity[,current_unit_price]``)
        or rows; every row must be the caller's own member.
        """
        member_id = self.who.require_member()
        demands, label = read_demand_input(source, member_id)
        with scoped_session(self.db, Scope.MEMBER, member_id) as s:
            row = _round(s, key)
            if row.status != "open":
                raise ConflictError(f"round {key} is {row.status}: demand can no longer change")
            aes = self.keyring.data_key(s, member_id, create=True)
            old = s.execute(
                delete(ProcurementDemand).where(
                    ProcurementDemand.round_id == row.id, ProcurementDemand.member_id == member_id
                )
            )
            stored = []
            for d in demands:
                line = ProcurementDemand(
                    round_id=row.id, member_id=member_id, category=d.category, quantity=b"",
                    submitted_by=self.who.username, submitted_at=datetime.now(UTC),
                )  # fmt: skip
                s.add(line)
                stored.append((line, d))
            s.flush()  # row ids first: each ciphertext is bound to its row
            for line, d in stored:
                line.quantity = encrypt_value(aes, d.quantity, demand_aad(key, line, "quantity"))
                if d.current_unit_price is not None:
                    line.current_unit_price = encrypt_value(
                        aes, d.current_unit_price, demand_aad(key, line, "current_unit_price")
                    )
            replaced = int(getattr(old, "rowcount", 0) or 0)
            details = {"lines": len(demands), "replaced": replaced, "source": label}
            target = f"procurement demand {member_id}/{key}"
            _audit.append(s, self.who.username, "demand_submit", target, details)
            log.info(
                "member %s submitted %d demand lines for round %s", member_id, len(demands), key
            )
            return DemandReceipt(
                round_key=key, member_id=member_id, lines=len(demands), replaced=replaced,
                source=label,
            )  # fmt: skip

    def my_demand(self, key: str) -> list[DemandRecord]:
        """The caller's member's own demand in the round, decrypted. Audited."""
        member_id = self.who.require_member()
        with scoped_session(self.db, Scope.MEMBER, member_id) as s:
            row = _round(s, key)
            demands = load_demands(s, key, row.id, self.keyring, member_id)
            _audit.append(s, self.who.username, "read", f"procurement demand {member_id}/{key}",
                          {"lines": len(demands)})  # fmt: skip
        return [DemandRecord(**d.__dict__) for d in demands]

    # -- quotes and award (secretariat) -------------------------------------------------------
    def enter_quotes(self, key: str, source: Path | str | list[Quote]) -> int:
        """Enter suppliers' price-break schedules (quotes.csv or :class:`Quote` values).

        A schedule replaces the same supplier's earlier one for the category. Returns how many
        schedules were entered.
        """
        self.who.require(UserRole.SECRETARIAT)
        quotes, label = read_quote_input(source)
        with self.db.session() as s:
            row = _round(s, key)
            if row.status == "awarded":
                raise ConflictError(f"round {key} is awarded: its quotes can no longer change")
            for q in quotes:
                s.execute(
                    delete(ProcurementQuote).where(
                        ProcurementQuote.round_id == row.id,
                        ProcurementQuote.supplier_id == q.supplier_id,
                        ProcurementQuote.category == q.category,
                    )
                )
                s.add(quote_row(row.id, q, self.who.username))
            _audit.append(s, self.who.username, "quotes_enter", f"procurement round {key}",
                          {"schedules": len(quotes), "breaks": sum(len(q.breaks) for q in quotes),
                           "source": label})  # fmt: skip
        return len(quotes)

    def quotes(self, key: str) -> list[Quote]:
        """The round's quotes (suppliers' offers: for the secretariat and auditors)."""
        self.who.require(UserRole.SECRETARIAT, UserRole.AUDITOR)
        with self.db.session() as s:
            return load_quotes(s, _round(s, key).id)

    def run_award(
        self, key: str, *, method: Method | str = Method.SHAPLEY, seed: int = 0
    ) -> RoundSummary:
        """Award the closed round, split its cost, store the results; return the totals.

        Demand is decrypted only inside this call, in the aggregate scope. Each member's share
        is stored encrypted with that member's key; the summary holds totals only. Running it
        again (another method, new quotes) replaces the earlier results.
        """
        self.who.require(UserRole.SECRETARIAT)
        try:
            chosen = Method(method)
        except ValueError:
            raise InputError(f"method expects proportional or shapley, got {method!r}") from None
        min_contributors = Registry(self.db).alliance().min_contributors
        with scoped_session(self.db, Scope.AGGREGATE) as s:
            row = _round(s, key)
            if row.status == "open":
                raise ConflictError(f"round {key} is still open: close it before the award")
            outcome = compute_round(
                key, load_demands(s, key, row.id, self.keyring), load_quotes(s, row.id),
                _rules(row), method=chosen, target=row.savings_target,
                min_contributors=min_contributors, seed=seed,
            )  # fmt: skip
            for table in (ProcurementResult, ProcurementAwardLine):
                s.execute(delete(table).where(table.round_id == row.id))
            for line in outcome.award.lines:
                s.add(ProcurementAwardLine(
                    round_id=row.id, supplier_id=line.supplier_id, category=line.category,
                    quantity=line.quantity, cost=round(line.cost, 2),
                ))  # fmt: skip
            self._store_shares(s, key, row.id, outcome.allocation.method.value, outcome)
            row.status, row.method, row.awarded_at = "awarded", chosen.value, datetime.now(UTC)
            row.summary = outcome.summary.model_dump_json()
            _audit.append(s, self.who.username, "award", f"procurement round {key}",
                          {"method": chosen.value, "members": outcome.summary.members,
                           "categories": len(outcome.summary.categories),
                           "exact": outcome.summary.exact,
                           "target_reached": outcome.summary.target_reached})  # fmt: skip
        log.info("round %s awarded (%s, %d members)", key, chosen.value, outcome.summary.members)
        return outcome.summary

    def _store_shares(
        self, s: Session, key: str, round_id: int, method: str, outcome: RoundOutcome
    ) -> None:
        stored = []
        for share in outcome.allocation.shares:
            res = ProcurementResult(
                round_id=round_id, member_id=share.member_id, method=method, cost=b"",
                solo_cost=b"",
            )  # fmt: skip
            s.add(res)
            stored.append((res, share))
        s.flush()  # ids first: each ciphertext is bound to its row
        for res, share in stored:
            aes = self.keyring.data_key(s, share.member_id)
            res.cost = encrypt_value(aes, share.cost, result_aad(key, res, "cost"))
            res.solo_cost = encrypt_value(aes, share.solo_cost, result_aad(key, res, "solo_cost"))
            if share.std_error is not None:
                res.std_error = encrypt_value(
                    aes, share.std_error, result_aad(key, res, "std_error")
                )

    # -- results ------------------------------------------------------------------------------
    def my_result(self, key: str, *, member_id: str | None = None) -> MemberResult:
        """The caller's member's own share, solo cost and savings in an awarded round. Audited."""
        own = self.own_member(member_id, "read the procurement result of")
        with scoped_session(self.db, Scope.MEMBER, own) as s:
            row = _awarded(s, key)
            res = s.scalar(
                select(ProcurementResult).where(
                    ProcurementResult.round_id == row.id, ProcurementResult.member_id == own
                )
            )
            pooled = set(
                s.scalars(
                    select(ProcurementAwardLine.category).where(
                        ProcurementAwardLine.round_id == row.id
                    )
                )
            )
            mine = load_demands(s, key, row.id, self.keyring, own)
            unpooled = tuple(sorted({d.category for d in mine if d.quantity > 0} - pooled))
            if res is None:
                why = (
                    f"no other member asked for {', '.join(unpooled)}, so nothing was pooled"
                    if unpooled
                    else "it submitted no demand"
                )
                raise NotFoundError(f"member {own} has no result in round {key}: {why}")
            aes = self.keyring.data_key(s, own)
            cost = decrypt_value(aes, res.cost, result_aad(key, res, "cost"))
            solo = decrypt_value(aes, res.solo_cost, result_aad(key, res, "solo_cost"))
            se = res.std_error
            _audit.append(s, self.who.username, "read", f"procurement result {own}/{key}",
                          {"method": res.method})  # fmt: skip
            savings = round(solo - cost, 2)
            return MemberResult(
                round_key=key, member_id=own, method=res.method, cost=cost, solo_cost=solo,
                savings=savings, savings_pct=round(100 * savings / solo, 2) if solo > 0 else 0.0,
                std_error=None if se is None
                else decrypt_value(aes, se, result_aad(key, res, "std_error")),
                unpooled_categories=unpooled,
            )  # fmt: skip

    def round_summary(self, key: str) -> RoundSummary:
        """Alliance totals of an awarded round (secretariat, auditors). Audited."""
        self.who.require(UserRole.SECRETARIAT, UserRole.AUDITOR)
        with self.db.session() as s:
            row = _awarded(s, key)
            _audit.append(s, self.who.username, "read", f"procurement round {key}",
                          {"summary": True})  # fmt: skip
            return RoundSummary.model_validate(json.loads(row.summary or "{}"))


def _round(session: Session, key: str) -> ProcurementRound:
    row = session.scalar(select(ProcurementRound).where(ProcurementRound.key == key))
    if row is None:
        raise NotFoundError(
            f"no procurement round {key!r}; open it with `osatnet procure round open {key}`"
        )
    return row


def _awarded(session: Session, key: str) -> ProcurementRound:
    row = _round(session, key)
    if row.status != "awarded" or row.summary is None:
        raise ConflictError(f"round {key} is {row.status}: it has no award yet")
    return row


def _rules(row: ProcurementRound) -> ResilienceRules:
    return ResilienceRules(row.max_supplier_share, row.max_country_share, row.min_suppliers)
