"""``osatnet blind auction``: sealed-bid auctions on the platform.

The secretariat publishes and clears an auction; a member sends its orders from a CSV file
(shared and sealed on the member's machine) and later opens its own quantities with the
private half of its reply key, which never leaves the member's machine.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer

from ..cli._common import JsonOption, UserOption, console, poll, print_json, require_user
from ..db import Database
from ..errors import ConfigError, ConflictError
from .auction_client import open_allocation
from .auction_files import read_orders, reply_key
from .auction_platform import DEFAULT_POINTS, AuctionInfo, BlindAuctions
from .envelope import b64, public_bytes

__all__ = ["app"]

app = typer.Typer(
    help="Sealed-bid auctions: secret bids and asks, public clearing prices.",
    no_args_is_help=True,
)
AuctionOption = Annotated[str, typer.Option("--auction", "-a", help="The auction's id.")]
KeyOption = Annotated[
    Path,
    typer.Option("--key", help="Your reply key file (created on first use, owner-only; keep it)."),
]
WaitOption = Annotated[float, typer.Option("--wait", help="Seconds to wait for the nodes.")]
DEFAULT_KEY = Path("osatnet-reply.key")


def _service(user: str | None) -> BlindAuctions:
    return BlindAuctions.login(Database(), require_user(user), via="cli")


# -- the secretariat -----------------------------------------------------------------------------
def _line(a: AuctionInfo) -> str:
    where = f"{a.auction_id} ({a.week}, {len(a.markets)} market(s), grid {a.grid[0]:g} to "
    where += f"{a.grid[-1]:g} in {len(a.grid)} prices)"
    sent = "" if a.members is None else f", orders from {a.members} member(s)"
    if a.status == "done" and a.prices is not None:
        trading = sum(p is not None for p in a.prices.values())
        state = f"done: {trading} of {len(a.prices)} market(s) trade"
    elif a.status == "failed":
        state = f"failed (attempt {a.attempt}): {a.error}"
    elif a.status == "clearing":
        state = f"clearing (attempt {a.attempt}), {a.results} node(s) done"
    else:
        state = "open for orders"
    return f"{where}: {state}{sent}"


def _wait(service: BlindAuctions, info: AuctionInfo, seconds: float) -> AuctionInfo:
    info = poll(
        info, lambda a: a.status == "clearing", lambda a: service.get(a.auction_id), seconds
    )
    if info.status == "failed":
        raise ConflictError(f"{_line(info)}; run it again with `osatnet blind auction retry`")
    return info


def _show(info: AuctionInfo) -> None:
    console.print(_line(info))
    for market, price in (info.prices or {}).items():
        console.print(f"  {market}: {'no trade' if price is None else f'{price:g}'}")


@app.command("create")
def create(
    period: Annotated[str, typer.Option("--period", "-p", help="An open reporting period.")],
    week: Annotated[str, typer.Option("--week", "-w", help="ISO week, e.g. 2026-W36.")],
    low: Annotated[float, typer.Option("--low", help="Lowest price of the grid.")],
    high: Annotated[float, typer.Option("--high", help="Highest price of the grid.")],
    points: Annotated[
        int, typer.Option("--points", help="How many grid prices, evenly spaced, low to high.")
    ] = DEFAULT_POINTS,
    process: Annotated[
        list[str] | None, typer.Option("--process", help="A process family (default: all).")
    ] = None,
    auction_id: Annotated[
        str | None, typer.Option("--id", help="The auction's id (default: WEEK-N).")
    ] = None,
    user: UserOption = None,
    json: JsonOption = False,
) -> None:
    """Publish a sealed-bid auction: one market per process family in the week (secretariat)."""
    info = _service(user).create(
        period, week, process, low=low, high=high, points=points, auction_id=auction_id
    )
    if json:
        print_json(info.model_dump(mode="json"))
        return
    console.print(_line(info))


@app.command("list")
def list_(user: UserOption = None, json: JsonOption = False) -> None:
    """The auctions, their state and, once cleared, their prices."""
    rows = _service(user).auctions()
    if json:
        print_json([a.model_dump(mode="json") for a in rows])
        return
    for a in rows:
        _show(a)


@app.command("clear")
def clear(auction: AuctionOption, wait: WaitOption = 0.0, user: UserOption = None) -> None:
    """Close the auction to orders; the nodes clear it (secretariat)."""
    service = _service(user)
    _show(_wait(service, service.clear(auction), wait))


@app.command("retry")
def retry(auction: AuctionOption, wait: WaitOption = 0.0, user: UserOption = None) -> None:
    """Clear a failed or stuck auction again from the start (the orders are still stored)."""
    service = _service(user)
    _show(_wait(service, service.retry(auction), wait))


# -- members -------------------------------------------------------------------------------------
@app.command("orders")
def orders(
    file: Annotated[Path, typer.Argument(help="CSV: side,process,week,quantity[,price].")],
    auction: AuctionOption,
    key: KeyOption = DEFAULT_KEY,
    user: UserOption = None,
) -> None:
    """Share and seal your bids and asks on this machine, then send them (members).

    side is bid or ask; a bid's price is its max price (empty: any), an ask's its unit
    price. Sending again replaces your earlier orders while the auction is open.
    """
    service = _service(user)
    info = service.get(auction)
    bids, asks = read_orders(file, service.auction(auction), info.period)
    public = public_bytes(reply_key(key, create=True).public_key())
    sent = service.submit_orders(auction, bids, asks, public)
    console.print(
        f"{sent.member_id}: {len(bids)} bid(s) and {len(asks)} ask(s) for {auction} shared and "
        f"sealed to {sent.nodes} nodes; the platform holds only ciphertext. Keep {key}: "
        "it opens your result"
    )


def _units(x: Fraction) -> str:
    return f"{x.numerator:,}" if x.denominator == 1 else f"{float(x):,.3f}"


@app.command("result")
def result(
    auction: AuctionOption, key: KeyOption = DEFAULT_KEY, user: UserOption = None,
    json: JsonOption = False,
) -> None:  # fmt: skip
    """Open your own quantities on this machine: price, bought and sold per market (members)."""
    service = _service(user)
    member = service.who.require_member()
    private = reply_key(key, create=False)
    if b64(public_bytes(private.public_key())) != service.my_orders(auction).reply_key:
        raise ConfigError(f"{key} is not the reply key your orders for {auction} were sent with")
    mine = open_allocation(service.auction(auction), member, private, service.my_result(auction))
    if json:
        print_json({
            "auction": auction, "member": member,
            "markets": [{
                "market": m, "price": a.price, "bought": float(a.bought), "sold": float(a.sold),
                "bought_exact": str(a.bought), "sold_exact": str(a.sold),
            } for m, a in mine.items()],
        })  # fmt: skip
        return
    console.print(f"{member} in auction {auction} (only you can see these quantities):")
    for market, a in mine.items():
        price = "no trade" if a.price is None else f"price {a.price:g}"
        console.print(f"  {market}: {price}, bought {_units(a.bought)}, sold {_units(a.sold)}")
