"""A member's files for sealed-bid auctions: the orders CSV and the reply key.

Both stay on the member's machine. The orders file (``side,process,week,quantity[,price]``)
is read into :class:`.auction.Bid` and :class:`.auction.Ask` for
:meth:`.auction_platform.BlindAuctions.submit_orders`; the reply key file holds the private
half of the X25519 key the nodes seal the member's quantities to, made on first use with
owner-only permissions and reused to open the result.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pydantic import BaseModel, Field, field_validator

from ..errors import ConfigError, InputError
from ..exchange._platform_weeks import parse_week
from ..tabular import read_csv, validate_rows
from .auction import Ask, Auction, Bid, market_key
from .envelope import b64

__all__ = ["COLUMNS", "read_orders", "reply_key"]

COLUMNS = ("side", "process", "week", "quantity")  # and an optional price


def reply_key(path: Path, *, create: bool) -> X25519PrivateKey:
    """The member's X25519 reply key from ``path``; made there (owner-only) when missing."""
    if not path.exists():
        if not create:
            raise ConfigError(f"no reply key at {path}: give --key, the file used for the orders")
        key = X25519PrivateKey.generate()
        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: never overwrite a key that may still be needed to open a result.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(b64(raw) + "\n")
        return key
    try:
        # Whoever reads the file can open the member's quantities: as ssh does with its keys.
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise ConfigError(f"{path} is readable by others; make it owner-only (chmod 600)")
        raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
        return X25519PrivateKey.from_private_bytes(raw)
    except OSError as exc:
        raise ConfigError(f"cannot read the reply key {path}: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError):
        raise ConfigError(f"{path} is not an osatnet reply key") from None


class OrderRow(BaseModel):
    side: Literal["bid", "ask"]
    process: str = Field(max_length=40)
    week: str = Field(max_length=10)
    quantity: int = Field(gt=0, le=2**40)
    price: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @field_validator("side", mode="before")
    @classmethod
    def _side(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


def read_orders(path: Path, auction: Auction, period: str) -> tuple[list[Bid], list[Ask]]:
    """Bids and asks from a CSV file (side,process,week,quantity[,price]); every bad row is
    reported with file, row and column."""
    table = read_csv(path)
    rows = validate_rows(table, OrderRow, COLUMNS, ("price",))
    bids: list[Bid] = []
    asks: list[Ask] = []
    errors: list[InputError] = []
    grid = auction.grid
    for number, row in rows:

        def bad(reason: str, column: str, number: int = number) -> None:
            errors.append(InputError(reason, file=table.label, row=number, column=column))

        try:
            market = market_key(row.process.strip(), parse_week(row.week, period))
        except InputError as exc:
            bad(exc.reason, "week")
            continue
        if market not in auction.markets:
            bad(f"auction {auction.auction_id} has no market {market}", "process")
        elif row.side == "bid" and row.price is not None and row.price < grid[0]:
            bad(f"a bid below the grid (lowest {grid[0]:g}) could never trade", "price")
        elif row.side == "bid":
            bids.append(Bid(market, row.quantity, row.price))
        elif row.price is None:
            bad("an ask needs its unit price", "price")
        elif row.price > grid[-1]:
            bad(f"an ask above the grid (highest {grid[-1]:g}) could never trade", "price")
        else:
            asks.append(Ask(market, row.quantity, row.price))
    if errors:
        raise InputError.many(errors)
    if not rows:
        raise InputError("the file has no orders", file=table.label)
    return bids, asks
