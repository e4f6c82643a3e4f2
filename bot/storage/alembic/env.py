"""Alembic's environment: the revisions run on the connection bot.storage.migrate hands
over (a synchronous facade of an AsyncConnection, through `run_sync`), one transaction per
revision. There is no offline (SQL script) mode: the PostgreSQL scripts run through the
driver."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

if context.is_offline_mode():
    raise RuntimeError("the migrations run on a connection: there is no offline mode")

connection = context.config.attributes["connection"]
if not isinstance(connection, Connection):
    raise TypeError("run the migrations through bot.storage.migrate")
context.configure(connection=connection, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
