"""Who may change a client. Pure."""

from __future__ import annotations

from collections.abc import Collection

from bot.core.model import Client, Rep


def is_admin(rep: Rep, admins: Collection[str]) -> bool:
    """A Touchbase admin: listed in TOUCHBASE_ADMINS, or a Slack workspace admin or owner."""
    return rep.is_admin or rep.user_id in admins


def may_edit(client: Client, user_id: str, admin: bool) -> bool:
    """Anyone may log touches with any client; only its owner or an admin may change it."""
    return admin or (client.owner_id is not None and client.owner_id == user_id)
