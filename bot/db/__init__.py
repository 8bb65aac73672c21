"""Persistence: ORM tables, the engine and the repository."""
