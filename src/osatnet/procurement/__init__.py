"""Joint procurement: pool members' demand, award it across supplier price breaks, split the cost.

Pure functions on typed values; the CLI (:mod:`.cli`) and the stored rounds call the same API:

* :func:`award` — least-cost award per category (MILP in HiGHS) under capacity and
  :class:`ResilienceRules`, with shadow prices and the cost of each rule;
* :class:`CostGame` — c(S) of every group of members, tabulated by pooled quantity;
* :func:`allocate` — ``proportional`` or ``shapley`` split (exact up to 20 members, sampled
  beyond) summing exactly to the awarded cost, with a core check and the least core;
* :func:`round_report` — savings versus buying alone and against the alliance's 20% target.

In the platform, :class:`Procurement` runs stored rounds behind the firewall: members' demand
and results encrypted with their own keys, the award computed in the aggregate scope.
"""

from __future__ import annotations

from ._allocate import Allocation as Allocation
from ._allocate import MemberShare as MemberShare
from ._allocate import Method as Method
from ._allocate import allocate as allocate
from ._allocate import round_to_total as round_to_total
from ._award import award as award
from ._award import solve_category as solve_category
from ._coalition import MAX_EXACT_MEMBERS as MAX_EXACT_MEMBERS
from ._coalition import CostGame as CostGame
from ._core import CoreCheck as CoreCheck
from ._core import LeastCore as LeastCore
from ._core import check_core as check_core
from ._files import read_demand as read_demand
from ._files import read_quotes as read_quotes
from ._files import read_round as read_round
from ._files import write_allocation as write_allocation
from ._files import write_award as write_award
from ._report import ALLIANCE_TARGET as ALLIANCE_TARGET
from ._report import RoundReport as RoundReport
from ._report import allocation_dict as allocation_dict
from ._report import award_dict as award_dict
from ._report import round_report as round_report
from ._results import Award as Award
from ._results import AwardLine as AwardLine
from ._results import ConstraintPrice as ConstraintPrice
from ._results import InfeasibleDemand as InfeasibleDemand
from ._results import RuleCost as RuleCost
from ._rounds_schemas import DemandReceipt as DemandReceipt
from ._rounds_schemas import DemandRecord as DemandRecord
from ._rounds_schemas import MemberResult as MemberResult
from ._rounds_schemas import RoundInfo as RoundInfo
from ._rounds_schemas import RoundSummary as RoundSummary
from ._shapley import SampledShapley as SampledShapley
from ._shapley import shapley_exact as shapley_exact
from ._shapley import shapley_sampled as shapley_sampled
from ._types import Demand as Demand
from ._types import Discount as Discount
from ._types import PriceBreak as PriceBreak
from ._types import Quote as Quote
from ._types import ResilienceRules as ResilienceRules
from .catalog import CATALOG as CATALOG
from .catalog import CatalogEntry as CatalogEntry
from .service import Procurement as Procurement

__all__ = [
    "ALLIANCE_TARGET",
    "CATALOG",
    "MAX_EXACT_MEMBERS",
    "Allocation",
    "Award",
    "AwardLine",
    "CatalogEntry",
    "ConstraintPrice",
    "CoreCheck",
    "CostGame",
    "Demand",
    "DemandReceipt",
    "DemandRecord",
    "Discount",
    "InfeasibleDemand",
    "LeastCore",
    "MemberResult",
    "MemberShare",
    "Method",
    "PriceBreak",
    "Procurement",
    "Quote",
    "ResilienceRules",
    "RoundInfo",
    "RoundReport",
    "RoundSummary",
    "RuleCost",
    "SampledShapley",
    "allocate",
    "allocation_dict",
    "award",
    "award_dict",
    "check_core",
    "read_demand",
    "read_quotes",
    "read_round",
    "round_report",
    "round_to_total",
    "shapley_exact",
    "shapley_sampled",
    "solve_category",
    "write_allocation",
    "write_award",
]
