"""Repository functions: each takes a Session, filters on the workspace and returns domain values.

The caller owns the transaction (see `Database.transaction`). Callers use `repo.x(...)`; the
functions live in modules by area, and this package exports them all.
"""

from bot.db.repository._rows import name_key
from bot.db.repository.clients import (
    active_clients,
    add_client,
    all_clients,
    archive_client,
    client_owners,
    clients_by_name,
    get_client,
    hand_back,
    handed_back_clients,
    snooze,
    teams_with_clients,
    update_client,
    upsert_client,
)
from bot.db.repository.outbox import (
    claim_outbox,
    claimed_digests,
    finish_outbox,
    outbox_status,
    recent_nudges,
    release_outbox,
)
from bot.db.repository.reads import (
    client_activity,
    due_activities,
    recap_clients,
    recap_reps,
    recap_value_touches,
    rep_snoozes,
    rep_week,
    snoozes,
)
from bot.db.repository.reps import (
    deactivate_rep,
    get_rep,
    get_reps,
    save_rep,
)
from bot.db.repository.summary import (
    refresh_summaries,
    summary_verdicts,
)
from bot.db.repository.touches import (
    add_touch,
    add_touches,
    all_touches,
    count_touches,
    delete_touch,
    get_touch,
    latest_touch_logged_by,
    recent_touches,
    set_touch_kind,
)
from bot.db.repository.workspace import (
    save_workspace_settings,
    workspace_settings,
)

__all__ = [
    "active_clients",
    "add_client",
    "add_touch",
    "add_touches",
    "all_clients",
    "all_touches",
    "archive_client",
    "claim_outbox",
    "claimed_digests",
    "client_activity",
    "client_owners",
    "clients_by_name",
    "count_touches",
    "deactivate_rep",
    "delete_touch",
    "due_activities",
    "finish_outbox",
    "get_client",
    "get_rep",
    "get_reps",
    "get_touch",
    "hand_back",
    "handed_back_clients",
    "latest_touch_logged_by",
    "name_key",
    "outbox_status",
    "recap_clients",
    "recap_reps",
    "recap_value_touches",
    "recent_nudges",
    "recent_touches",
    "refresh_summaries",
    "release_outbox",
    "rep_snoozes",
    "rep_week",
    "save_rep",
    "save_workspace_settings",
    "set_touch_kind",
    "snooze",
    "snoozes",
    "summary_verdicts",
    "teams_with_clients",
    "update_client",
    "upsert_client",
    "workspace_settings",
]
