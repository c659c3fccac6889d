"""Sealed-bid auctions in blind mode: the secretariat runs them, members send sealed orders
and fetch their own sealed results, the compute nodes clear them (node token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, StringConstraints

from ...blind.auction import MAX_GRID
from ...blind.auction_gateway import PendingAuction
from ...blind.auction_platform import DEFAULT_POINTS, AuctionInfo, BlindAuctions, OrderInfo
from ..deps import ActorDep, DbDep, SecretariatDep
from .blind import NodeDep, NodeFailure, NodeResult, Status

__all__ = ["router"]

router = APIRouter(prefix="/blind", tags=["blind mode"])
AuctionId = Annotated[str, Path(max_length=64)]
Market = Annotated[str, StringConstraints(max_length=100)]
# One market's sealed schedules: two 24-byte shares per grid point, base64 (~4.2 MB at most).
Sealed = Annotated[str, StringConstraints(max_length=4 * (2 * MAX_GRID * 24 + 28) // 3 + 4)]


class NewAuction(BaseModel):
    period: str = Field(max_length=10)
    week: str = Field(max_length=10, description="ISO week of the period, e.g. 2026-W36")
    processes: list[Annotated[str, StringConstraints(max_length=40)]] | None = Field(
        default=None, max_length=100, description="Process families (default: all)"
    )
    low: float = Field(ge=0, le=2**40, allow_inf_nan=False, description="Lowest grid price")
    high: float = Field(ge=0, le=2**40, allow_inf_nan=False, description="Highest grid price")
    points: int = Field(default=DEFAULT_POINTS, ge=2, le=MAX_GRID)
    auction_id: str | None = Field(default=None, max_length=64)


class OrderBundle(BaseModel):
    """One node's sealed schedules, made by the member's client (``share_orders``)."""

    format: str = Field(max_length=40)
    auction: str = Field(max_length=64)
    digest: str = Field(max_length=64)
    member: str = Field(max_length=64)
    node: int = Field(ge=0, le=15)
    value_modulus: str = Field(max_length=64)
    reply_key: str = Field(max_length=64)
    ephemeral: str = Field(max_length=64)
    markets: dict[Market, Sealed] = Field(max_length=1000)


class OrderUpload(BaseModel):
    bundles: list[OrderBundle] = Field(min_length=1, max_length=16)


@router.get("/auctions", response_model=list[AuctionInfo], summary="Sealed-bid auctions")
def auctions(actor: ActorDep, db: DbDep) -> list[AuctionInfo]:
    return BlindAuctions(db, actor).auctions()


@router.post("/auctions", response_model=AuctionInfo, status_code=201, summary="Publish an auction")
def create(body: NewAuction, actor: SecretariatDep, db: DbDep) -> AuctionInfo:
    return BlindAuctions(db, actor).create(
        body.period, body.week, body.processes, low=body.low, high=body.high,
        points=body.points, auction_id=body.auction_id,
    )  # fmt: skip


@router.get("/auctions/{auction_id}", response_model=AuctionInfo, summary="One auction")
def auction(auction_id: AuctionId, actor: ActorDep, db: DbDep) -> AuctionInfo:
    return BlindAuctions(db, actor).get(auction_id)


@router.post("/auctions/{auction_id}/clear", response_model=AuctionInfo, summary="Clear it")
def clear(auction_id: AuctionId, actor: SecretariatDep, db: DbDep) -> AuctionInfo:
    return BlindAuctions(db, actor).clear(auction_id)


@router.post("/auctions/{auction_id}/retry", response_model=AuctionInfo, summary="Clear again")
def retry(auction_id: AuctionId, actor: SecretariatDep, db: DbDep) -> AuctionInfo:
    return BlindAuctions(db, actor).retry(auction_id)


@router.post(
    "/auctions/{auction_id}/orders", response_model=OrderInfo, status_code=201,
    summary="Send own sealed orders",
)  # fmt: skip
def send_orders(auction_id: AuctionId, body: OrderUpload, actor: ActorDep, db: DbDep) -> OrderInfo:
    bundles = [b.model_dump() for b in body.bundles]
    return BlindAuctions(db, actor).store_order_bundles(auction_id, bundles)


@router.get(
    "/auctions/{auction_id}/orders", response_model=OrderInfo, summary="Own orders (metadata)"
)
def my_orders(
    auction_id: AuctionId, actor: ActorDep, db: DbDep,
    member_id: Annotated[str | None, Query(max_length=64)] = None,
) -> OrderInfo:  # fmt: skip
    return BlindAuctions(db, actor).my_orders(auction_id, member_id)


@router.get("/auctions/{auction_id}/result", summary="Own sealed result parts, every node's")
def my_result(
    auction_id: AuctionId, actor: ActorDep, db: DbDep,
    member_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:  # fmt: skip
    return BlindAuctions(db, actor).my_result(auction_id, member_id)


# -- the compute nodes' side: authenticated by a node token, not a user ----------------------
@router.get(
    "/node/auctions", response_model=list[PendingAuction], summary="Node: auctions to clear"
)
def node_auctions(node: NodeDep) -> list[PendingAuction]:
    return node.pending_auctions()


@router.get("/node/auctions/{auction_id}/orders", summary="Node: its own sealed orders")
def node_orders(auction_id: AuctionId, node: NodeDep) -> list[dict[str, Any]]:
    return node.order_bundles(auction_id)


@router.post(
    "/node/auctions/{auction_id}/result", response_model=Status, summary="Node: post prices"
)
def node_result(auction_id: AuctionId, body: NodeResult, node: NodeDep) -> Status:
    return Status(status=node.post_auction(auction_id, body.attempt, body.result))


@router.post(
    "/node/auctions/{auction_id}/failure", response_model=Status, summary="Node: report failure"
)
def node_failure(auction_id: AuctionId, body: NodeFailure, node: NodeDep) -> Status:
    node.fail_auction(auction_id, body.attempt, body.reason)
    return Status(status="failed")
