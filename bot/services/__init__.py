"""Use cases: read once from the repository, decide in the core, then perform the side effects."""
