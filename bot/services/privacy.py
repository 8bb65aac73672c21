"""Showing notes to the people who may read them (bot.core.privacy), auditing the reads only an
admin's rights allow, and finding the client an operator's request names."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from bot.core.clients import is_admin
from bot.core.model import AuditAction, Client, Rep, Touch, WorkspaceSettings
from bot.core.privacy import Readable, Reader, named, readable
from bot.db import repository as repo
from bot.deps import Deps


def shown_to(
    deps: Deps,
    rep: Rep,
    client: Client,
    touches: Sequence[Touch],
    settings: WorkspaceSettings,
    *,
    surface: str,
) -> Readable:
    """`touches` as `rep` may read them. When an admin reads notes that only an admin may, the
    audit log records it (how many, and where) before they are shown."""
    reader = Reader(rep.user_id, is_admin(rep, settings.effective_admins(deps.settings.defaults)))
    result = readable(touches, reader, client, settings)
    if result.admin_only:
        count = len(result.admin_only)
        with deps.db.transaction(write=True) as session:
            repo.audit(
                session,
                rep.team_id,
                rep.user_id,
                AuditAction.PRIVATE_NOTE_READ,
                client.id,
                f"{count} note{'' if count == 1 else 's'}, in {surface}",
                at=deps.clock(),
            )
    return result


def clients_named(session: Session, team_id: str, name: str) -> list[Client]:
    """The client called exactly `name` (or with it as an alias), archived ones included: for
    an erasure, an access request or the audit log, which name one client in full."""
    return named(repo.all_clients(session, team_id), name)
