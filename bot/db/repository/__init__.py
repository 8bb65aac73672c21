"""Repository functions: each takes a Session, filters on the workspace and returns domain values.

The caller owns the transaction (see `Database.transaction`). Callers use `repo.x(...)`; the
functions live in modules by area, and this package exports them all.
"""

from bot.core.model import name_key
from bot.db.repository.audit import audit, audit_entries
from bot.db.repository.calendar import (
    calendar_feed_changed,
    calendar_link,
    replace_calendar_link,
    revoke_calendar_link,
)
from bot.db.repository.clients import (
    active_client_ids,
    active_clients,
    add_client,
    all_clients,
    archive_client,
    book_version,
    client_owners,
    clients_by_id,
    clients_by_name,
    clients_changed_since,
    count_active_clients,
    get_client,
    hand_back,
    handed_back_clients,
    snooze,
    teams_with_clients,
    update_client,
    upsert_client,
)
from bot.db.repository.conversations import last_value_touches, promise_touches
from bot.db.repository.evidence import (
    add_kind_evidence,
    kind_evidence,
)
from bot.db.repository.outbox import (
    ClaimBusy,
    claim_outbox,
    claimed_digests,
    finish_outbox,
    outbox_status,
    recent_nudges,
    release_outbox,
)
from bot.db.repository.owners import (
    admin_ids,
    clients_owned_by,
    departed_reps,
    hand_over_promises,
)
from bot.db.repository.pending import (
    add_pending_touch,
    lock_pending_touch,
    mark_pending_logged,
    prune_pending_touches,
)
from bot.db.repository.privacy import Erased, client_touches, erase_client, remove_old_notes
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
from bot.db.repository.uninstall import (
    PURGE_KEEPS,
    mark_installed,
    mark_uninstalled,
    purge_team,
    uninstalled_at,
    uninstalled_teams,
)
from bot.db.repository.workspace import (
    retention_settings,
    save_workspace_settings,
    workspace_settings,
)

__all__ = [
    "PURGE_KEEPS",
    "ClaimBusy",
    "Erased",
    "active_client_ids",
    "active_clients",
    "add_client",
    "add_kind_evidence",
    "add_pending_touch",
    "add_touch",
    "add_touches",
    "admin_ids",
    "all_clients",
    "all_touches",
    "archive_client",
    "audit",
    "audit_entries",
    "book_version",
    "calendar_feed_changed",
    "calendar_link",
    "claim_outbox",
    "claimed_digests",
    "client_activity",
    "client_owners",
    "client_touches",
    "clients_by_id",
    "clients_by_name",
    "clients_changed_since",
    "clients_owned_by",
    "count_active_clients",
    "count_touches",
    "deactivate_rep",
    "delete_touch",
    "departed_reps",
    "due_activities",
    "erase_client",
    "finish_outbox",
    "get_client",
    "get_rep",
    "get_reps",
    "get_touch",
    "hand_back",
    "hand_over_promises",
    "handed_back_clients",
    "kind_evidence",
    "last_value_touches",
    "latest_touch_logged_by",
    "lock_pending_touch",
    "mark_installed",
    "mark_pending_logged",
    "mark_uninstalled",
    "name_key",
    "outbox_status",
    "promise_touches",
    "prune_pending_touches",
    "purge_team",
    "recap_clients",
    "recap_reps",
    "recap_value_touches",
    "recent_nudges",
    "recent_touches",
    "refresh_summaries",
    "release_outbox",
    "remove_old_notes",
    "rep_snoozes",
    "rep_week",
    "replace_calendar_link",
    "retention_settings",
    "revoke_calendar_link",
    "save_rep",
    "save_workspace_settings",
    "set_touch_kind",
    "snooze",
    "snoozes",
    "summary_verdicts",
    "teams_with_clients",
    "uninstalled_at",
    "uninstalled_teams",
    "update_client",
    "upsert_client",
    "workspace_settings",
]
