"""The confidentiality firewall: encrypted submissions, isolation, audit trail, releases."""

from __future__ import annotations

from ..audit import AuditProblem
from ._context import Actor
from .keys import KeyStatus, RotationReport, init_master_key, key_status, rotate_master_key
from .measures import MEASURES, Level, Measure
from .service import SubmissionInfo, ValueRecord, Vault

__all__ = [
    "MEASURES",
    "Actor",
    "AuditProblem",
    "KeyStatus",
    "Level",
    "Measure",
    "RotationReport",
    "SubmissionInfo",
    "ValueRecord",
    "Vault",
    "init_master_key",
    "key_status",
    "rotate_master_key",
]
