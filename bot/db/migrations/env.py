"""Alembic environment: the URL comes from the caller or DATABASE_URL, the metadata from bot."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from bot.config import load
from bot.db.engine import make_engine
from bot.db.migrate import migration_connection
from bot.db.schema import Base

config = context.config
# Only the repository's alembic.ini (the `alembic` command) has logging sections; the app
# builds its Config in code (bot/db/migrate.py) and keeps its own logging.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite can't ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    # Run from the command line (`alembic upgrade head`): the same guarded connection as the app.
    url = config.attributes.get("url") or load(os.environ, needs_slack=False).database_url
    engine = make_engine(url)
    try:
        with migration_connection(engine) as connection:
            _configure(connection)
            context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
