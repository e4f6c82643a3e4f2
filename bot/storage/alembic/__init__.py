"""Alembic's scripts for the schema: env.py and the revisions (see bot/storage/migrate.py)."""
