"""Evidence from the flip button: per workspace and word, the flips to each kind."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.core.model import FlipCount, Kind
from bot.db.schema import KindEvidenceRow

# Built once, run as Core on the session's connection: every /touch reads it, and building the
# statement and the ORM's per-statement work cost more than the read.
_EVIDENCE = select(
    KindEvidenceRow.word, KindEvidenceRow.to_value, KindEvidenceRow.to_routine
).where(
    KindEvidenceRow.team_id == bindparam("team_id"),
    KindEvidenceRow.word.in_(bindparam("words", expanding=True)),
)


def kind_evidence(session: Session, team_id: str, words: Collection[str]) -> dict[str, FlipCount]:
    """The flips recorded for these words (a note's few words: one indexed read)."""
    if not words:
        return {}
    rows = session.connection().execute(_EVIDENCE, {"team_id": team_id, "words": list(words)})
    return {word: FlipCount(to_value, to_routine) for word, to_value, to_routine in rows}


def add_kind_evidence(session: Session, team_id: str, words: Collection[str], kind: Kind) -> None:
    """Count one flip to `kind` for each word, in one statement that two flips can't lose."""
    if not words:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    column = "to_value" if kind is Kind.VALUE else "to_routine"
    statement = insert(KindEvidenceRow).values(
        [
            {"team_id": team_id, "word": word[:64], "to_value": 0, "to_routine": 0, column: 1}
            for word in dict.fromkeys(words)
        ]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["team_id", "word"],
        set_={column: getattr(KindEvidenceRow, column) + 1},
    )
    session.execute(statement)
