"""Every action, block and view ID: the contract between the Block Kit built in bot.ui and the
listeners in bot.slack. A button that carries a client or touch carries its ID as its value."""

from __future__ import annotations

# `/touch` replies
FLIP_KIND = "touch_flip_kind"
# A pick-the-client button's action_id is PICK_CLIENT:<client id>, unique within its message.
PICK_CLIENT = "touch_pick_client"

# The morning digest and `/touch list`
LOG_FROM_NUDGE = "nudge_log_touch"
SNOOZE_WEEK = "nudge_snooze_week"
SNOOZE_UNTIL = "nudge_snooze_until"
NOT_MINE = "nudge_not_mine"
# Each item's blocks end with the client's ID, so a reply can update just that item.
ITEM_BLOCK = "nudge:"
ACTIONS_BLOCK = "nudge-actions:"

# The App Home
HOME_LOG = "home_log_touch"
HOME_SNOOZE = "home_snooze"
HOME_OPEN = "home_open_client"
HOME_LOG_ANY = "home_log_any"
HOME_ADD = "home_add_client"
HOME_CALENDAR = "home_calendar_link"
HOME_SETTINGS = "home_workspace_settings"
# The users_select beside a client waiting for a new owner; its block_id ends with its ID.
REASSIGN = "home_reassign"
REASSIGN_BLOCK = "reassign:"
CLIENT_BLOCK = "home-client:"

# The log-touch form: its callback, and each input's block and action ID
LOG_TOUCH_VIEW = "log_touch"
CLIENT, NOTE, DAY, KIND, FOLLOW_UP = "client", "note", "day", "kind", "follow_up"
PRIVATE = "private"

# The client view and the add-client form
CLIENT_VIEW = "client"
ADD_CLIENT_VIEW = "add_client"
NAME, OWNER, RENEWAL, TIER, ALIASES = "name", "owner", "renewal", "tier", "aliases"
SINCE = "client_since"
ARCHIVE = "client_archive"
ERASE = "client_erase"

# The workspace settings form (admins only); each input's block and action ID is its setting's
# key (bot.core.workspace.SETTINGS).
SETTINGS_VIEW = "workspace_settings"

# The "Log as touch" message shortcut's callback (app_manifest.yml names it too)
LOG_AS_TOUCH = "log_as_touch"
