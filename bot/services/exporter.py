"""`touchbase export clients|touches`: the book as CSV, in exactly the formats `touchbase import`
reads, so importing an export changes nothing.

Archived clients, and the touches with them, are left out: an export is the book as it stands.
Touch dates are days in the workspace's zone (TOUCHBASE_TIMEZONE), as the importer reads them.
"""

from __future__ import annotations

import csv
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.core.csv_import import CLIENT_COLUMNS, TOUCH_COLUMNS, client_record, touch_record
from bot.db import repository as repo
from bot.deps import Deps
from bot.services.workspace import team_id


def export_clients(deps: Deps, out: TextIO) -> int:
    """Write the clients file to `out`; returns how many clients it holds."""
    team = team_id(deps.slack)
    with deps.db.transaction() as session:
        clients = repo.active_clients(session, team)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CLIENT_COLUMNS)
    writer.writerows(client_record(c) for c in clients)
    return len(clients)


def export_touches(deps: Deps, out: TextIO) -> int:
    """Write the touches file to `out`, oldest logged first; returns how many touches it holds."""
    team = team_id(deps.slack)
    tz = ZoneInfo(deps.settings.timezone)
    with deps.db.transaction() as session:
        names = {c.id: c.name for c in repo.active_clients(session, team)}
        touches = [t for t in repo.all_touches(session, team) if t.client_id in names]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TOUCH_COLUMNS)
    writer.writerows(touch_record(t, names[t.client_id], tz) for t in touches)
    return len(touches)
