"""`touchbase export clients|touches`: the book as CSV, in exactly the formats `touchbase import`
reads, so importing an export changes nothing. `touchbase export client NAME`: everything about
one client, for an access request.

Archived clients, and the touches with them, are left out: an export is the book as it stands.
Touch dates are days in the workspace's zone (its timezone setting), as the importer reads them.
Every export is audited; it is the operator's tool, and holds every note, private ones too.
"""

from __future__ import annotations

import csv
from typing import TextIO

from bot.core.csv_import import CLIENT_COLUMNS, TOUCH_COLUMNS, client_record, touch_record
from bot.core.model import CLI_ACTOR, AuditAction, Client
from bot.db import repository as repo
from bot.deps import Deps
from bot.services.settings import workspace_zone
from bot.services.workspace import team_id


def export_clients(deps: Deps, out: TextIO, team: str | None = None) -> int:
    """Write workspace `team`'s clients file (by default the bot token's) to `out`; returns how
    many clients it holds."""
    team = team or team_id(deps.slack)
    with deps.db.transaction() as session:
        clients = repo.active_clients(session, team)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CLIENT_COLUMNS)
    writer.writerows(client_record(c) for c in clients)
    _audit(deps, team, None, f"clients: {len(clients)}")
    return len(clients)


def export_touches(deps: Deps, out: TextIO, team: str | None = None) -> int:
    """Write workspace `team`'s touches file (by default the bot token's) to `out`, oldest
    logged first; returns how many touches it holds."""
    team = team or team_id(deps.slack)
    tz = workspace_zone(deps, team)
    with deps.db.transaction() as session:
        names = {c.id: c.name for c in repo.active_clients(session, team)}
        touches = [t for t in repo.all_touches(session, team) if t.client_id in names]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TOUCH_COLUMNS)
    writer.writerows(touch_record(t, names[t.client_id], tz) for t in touches)
    _audit(deps, team, None, f"touches: {len(touches)}")
    return len(touches)


def export_client(deps: Deps, client: Client, out: TextIO) -> int:
    """Everything about one client, archived or not (GDPR's right of access): its row in the
    clients format, a blank line, then its touches in the touches format. Returns how many
    touches it holds."""
    tz = workspace_zone(deps, client.team_id)
    with deps.db.transaction() as session:
        touches = repo.client_touches(session, client.team_id, client.id)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([CLIENT_COLUMNS, client_record(client)])
    out.write("\n")
    writer.writerow(TOUCH_COLUMNS)
    writer.writerows(touch_record(t, client.name, tz) for t in touches)
    count = len(touches)
    _audit(deps, client.team_id, client.id, f"client: {count} touch{'' if count == 1 else 'es'}")
    return len(touches)


def _audit(deps: Deps, team: str, client_id: int | None, what: str) -> None:
    """Record the export once it is written out."""
    with deps.db.transaction(write=True) as session:
        repo.audit(session, team, CLI_ACTOR, AuditAction.EXPORTED, client_id, what, at=deps.clock())
