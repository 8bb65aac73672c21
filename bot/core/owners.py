"""No book left unowned: which clients wait for a new owner, and whose follow-ups move. Pure.

Slack says a rep is gone when users.info shows them `deleted` (or doesn't know them), when a DM
to them fails with `user_not_found` or `account_inactive`, or when a `user_change` event says
`deleted`: their Rep is then inactive. Nothing else changes: they still own their clients until
an admin gives each a new owner, so a rep whom Slack shows active again simply has back the
clients nobody took over.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from bot.core.model import Client, ClientActivity, Rep, Status


@dataclass(frozen=True)
class Unowned:
    """A client whose owner has left, waiting for an admin to give it a new owner."""

    client: Client
    # The rep who looked after it, as we last knew them.
    was: Rep


def needing_owner(clients: Iterable[Client], reps: Mapping[str, Rep]) -> tuple[Unowned, ...]:
    """The active clients whose owner Slack says is gone, by name.

    `reps` maps user IDs to what we know of them; an owner who isn't in it is not known to be
    gone (the nudge pass asks Slack about every owner, and records those it doesn't know).
    """
    waiting = [
        Unowned(client, owner)
        for client in clients
        if client.status is Status.ACTIVE
        and client.owner_id is not None
        and (owner := reps.get(client.owner_id)) is not None
        and not owner.active
    ]
    return tuple(sorted(waiting, key=lambda u: (u.client.name.casefold(), u.client.id)))


def promises_follow(previous_owner: Rep | None, new_owner_id: str) -> bool:
    """Whether the previous owner's follow-ups on a client go to its new owner.

    Only when that owner has left: a promise is otherwise kept by whoever made it, whoever owns
    the client (see bot.core.rules.items_for_rep), so someone who hands a client back, or has it
    moved by an admin, still hears about what they promised.
    """
    return (
        previous_owner is not None
        and not previous_owner.active
        and previous_owner.user_id != new_owner_id
    )


def orphaned_promises_to_owners(
    activities: Iterable[ClientActivity], departed: Collection[str]
) -> list[ClientActivity]:
    """The activities with each promise whose maker has left handed to the client's owner.

    A rep who covered a colleague's client and then left would otherwise be the only one ever
    reminded of what they promised; the owner is the one still there to keep it.
    """
    return [
        replace(activity, promise_by=None) if activity.promise_by in departed else activity
        for activity in activities
    ]
