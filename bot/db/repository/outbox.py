"""The outbox: claims on every message the bot sends on its own, and the nudges they carry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from psycopg.errors import LockNotAvailable
from sqlalchemy import (
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from bot.core.model import (
    NudgeClaim,
    OutboxKind,
    OutboxStatus,
)
from bot.db.schema import (
    NudgeRow,
    OutboxRow,
)


def claimed_digests(session: Session, team_id: str, since: dt.date) -> set[tuple[str, dt.date]]:
    """(rep, local date) of every digest claimed since a date, sent or not."""
    rows = session.execute(
        select(OutboxRow.recipient, OutboxRow.period).where(
            OutboxRow.team_id == team_id,
            OutboxRow.kind == OutboxKind.DIGEST.value,
            OutboxRow.period >= since,
        )
    )
    return {(rep, day) for rep, day in rows}


def recent_nudges(
    session: Session, team_id: str, since: dt.date
) -> dict[tuple[int, str], tuple[str, dt.date]]:
    """The latest delivered nudge per (client, rule) since a date: its window and its day.

    Only digests Slack accepted count; a claim left by a crash does not silence a client.
    """
    rows = session.execute(
        select(NudgeRow.client_id, NudgeRow.rule, NudgeRow.window_key, NudgeRow.nudged_on)
        .join(OutboxRow, OutboxRow.id == NudgeRow.outbox_id)
        .where(
            NudgeRow.team_id == team_id,
            NudgeRow.nudged_on >= since,
            OutboxRow.status == OutboxStatus.SENT.value,
        )
        .order_by(NudgeRow.nudged_on)
    )
    return {
        (client_id, rule): (window_key.partition("#")[0], day)
        for client_id, rule, window_key, day in rows
    }


class ClaimBusy(Exception):
    """Another transaction holds an uncommitted claim on the same key, past the lock timeout:
    a pass still at work, or a host that vanished mid-claim without PostgreSQL hearing of it."""


def claim_outbox(
    session: Session,
    *,
    team_id: str,
    kind: OutboxKind,
    recipient: str,
    period: dt.date,
    now: dt.datetime,
    nudges: Sequence[NudgeClaim] = (),
) -> int | None:
    """Record a message (and a digest's items) before sending. None when already claimed.

    The unique keys (team, kind, recipient, period) and (team, client, rule, window) make a
    second pass, a second scheduler or a restart fail here instead of sending a second
    message. On PostgreSQL a concurrent claim waits on the unique index until the first
    commits, then fails; if the first neither commits nor rolls back within the lock timeout
    (bot.db.engine.Timeouts.lock), ClaimBusy is raised and nothing is claimed.
    """
    try:
        with session.begin_nested():
            row = OutboxRow(
                team_id=team_id,
                kind=kind.value,
                recipient=recipient,
                period=period,
                status=OutboxStatus.CLAIMED.value,
                claimed_at=now,
            )
            session.add(row)
            session.flush()
            session.add_all(
                NudgeRow(
                    team_id=team_id,
                    outbox_id=row.id,
                    client_id=item.client_id,
                    rep_id=recipient,
                    rule=item.rule,
                    # One nudge per item window per day, whoever it goes to.
                    window_key=f"{item.window}#{period.isoformat()}",
                    nudged_on=period,
                )
                for item in nudges
            )
            session.flush()
    except IntegrityError:
        return None
    except OperationalError as error:
        if isinstance(error.orig, LockNotAvailable):
            raise ClaimBusy from error
        raise
    return row.id


def finish_outbox(
    session: Session,
    outbox_id: int,
    *,
    status: OutboxStatus,
    now: dt.datetime,
    channel: str | None = None,
    ts: str | None = None,
    error: str | None = None,
) -> None:
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == outbox_id)
        .values(
            status=status.value,
            sent_at=now if status is OutboxStatus.SENT else None,
            channel=channel,
            ts=ts,
            error=error,
        )
    )


def release_outbox(session: Session, outbox_id: int) -> None:
    """Forget a claim whose message surely wasn't sent, so the next pass tries again."""
    session.execute(delete(NudgeRow).where(NudgeRow.outbox_id == outbox_id))
    session.execute(delete(OutboxRow).where(OutboxRow.id == outbox_id))


def outbox_status(
    session: Session, team_id: str, kind: OutboxKind, recipient: str, period: dt.date
) -> OutboxStatus | None:
    status = session.scalar(
        select(OutboxRow.status).where(
            OutboxRow.team_id == team_id,
            OutboxRow.kind == kind.value,
            OutboxRow.recipient == recipient,
            OutboxRow.period == period,
        )
    )
    return OutboxStatus(status) if status else None
