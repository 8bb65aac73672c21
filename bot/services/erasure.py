"""Erasing a client on request (GDPR's right to erasure), from the CLI or an admin's button.

Everything about the client goes in one transaction with its audit entry, which keeps only the
client's id. Then the database forgets the bytes: see `Database.forget_erased`.
"""

from __future__ import annotations

import logging

from bot.core.model import AuditAction
from bot.db import repository as repo
from bot.deps import Deps

log = logging.getLogger(__name__)


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def counted(erased: repo.Erased) -> list[str]:
    """What went with the client, for the audit log and the operator: figures, never names."""
    return [
        _count(erased.touches, "touch", "touches"),
        _count(erased.nudges, "reminder", "reminders"),
        _count(erased.snoozes, "snooze", "snoozes"),
        _count(erased.pending_touches, "pending touch", "pending touches"),
    ]


def erase(deps: Deps, team_id: str, client_id: int, actor: str) -> repo.Erased | None:
    """Erase the client and audit it; None when there is no such client (erased already)."""
    with deps.db.transaction(write=True) as session:
        erased = repo.erase_client(session, team_id, client_id)
        if erased is None:
            return None
        detail = ", ".join(counted(erased))
        repo.audit(session, team_id, actor, AuditAction.ERASED, client_id, detail, at=deps.clock())
    deps.db.forget_erased()
    log.info("client %d of %s erased by %s: %s", client_id, team_id, actor, detail)
    return erased
