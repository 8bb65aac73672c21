"""`/touch` in the service: the workspace's date order, and learning from the flip button."""

from __future__ import annotations

import dataclasses

from bot.core.classify import ROUTINE_FLOOR, VALUE_FLOOR
from bot.core.model import FlipCount, Kind, WorkspaceSettings
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.services.touches import flip_kind, run_command
from tests.helpers import TEAM, add_client


def last_kind(db: Database) -> Kind:
    with db.transaction() as session:
        touch = repo.latest_touch_logged_by(session, TEAM, "U0SAM")
    assert touch is not None
    return touch.kind


def log_and_flip(deps: Deps, text: str) -> None:
    run_command(deps, TEAM, "U0SAM", text)
    with deps.db.transaction() as session:
        touch = repo.latest_touch_logged_by(session, TEAM, "U0SAM")
    assert touch is not None
    flip_kind(deps, TEAM, "U0SAM", str(touch.id))


def test_flips_to_value_tip_later_notes_only_past_the_floor(deps: Deps, db: Database) -> None:
    add_client(db, "Acme Insurance Group", aliases=("Acme",))
    for _ in range(VALUE_FLOOR - 1):
        log_and_flip(deps, "acme wine flight w/ the owner")
    reply = run_command(deps, TEAM, "U0SAM", "acme wine flight w/ the owner")
    assert last_kind(db) is Kind.ROUTINE, reply.text

    log_and_flip(deps, "acme wine flight w/ the owner")
    reply = run_command(deps, TEAM, "U0SAM", "acme wine flight with the gm")
    assert last_kind(db) is Kind.VALUE
    assert "your team has counted notes with “wine” as value-adding" in reply.text
    with db.transaction() as session:
        counts = repo.kind_evidence(session, TEAM, ["wine", "acme", "owner"])
    # The client's own name is no evidence.
    assert counts["wine"] == FlipCount(to_value=VALUE_FLOOR, to_routine=0)
    assert "acme" not in counts


def test_flips_to_routine_need_less_evidence(deps: Deps, db: Database) -> None:
    add_client(db, "Acme Insurance Group", aliases=("Acme",))
    assert ROUTINE_FLOOR < VALUE_FLOOR
    for _ in range(ROUTINE_FLOOR):
        log_and_flip(deps, "acme called re the fleet roster")
    run_command(deps, TEAM, "U0SAM", "acme called re the fleet roster")
    assert last_kind(db) is Kind.ROUTINE


def test_one_workspaces_flips_stay_in_it(deps: Deps, db: Database) -> None:
    add_client(db, "Acme Insurance Group", aliases=("Acme",))
    with db.transaction(write=True) as session:
        for _ in range(VALUE_FLOOR):
            repo.add_kind_evidence(session, "T0OTHER", ["wine"], Kind.VALUE)
    run_command(deps, TEAM, "U0SAM", "acme wine flight w/ the owner")
    assert last_kind(db) is Kind.ROUTINE


def test_the_workspace_date_order_reads_numeric_days(deps: Deps, db: Database) -> None:
    add_client(db, "Acme Insurance Group", aliases=("Acme",))
    reply = run_command(deps, TEAM, "U0SAM", "acme 11/20 called about the claim")
    assert "for Friday 20 November" in reply.text
    with db.transaction(write=True) as session:
        settings = repo.workspace_settings(session, TEAM)
        repo.save_workspace_settings(session, dataclasses.replace(settings, date_order="DMY"))
    with db.transaction() as session:
        assert repo.workspace_settings(session, TEAM).date_order == "DMY"
    reply = run_command(deps, TEAM, "U0SAM", "acme 19/11 called about the claim")
    assert "for Thursday 19 November" in reply.text
    assert WorkspaceSettings(TEAM).date_order == "MDY"
