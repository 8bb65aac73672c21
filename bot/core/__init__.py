"""The functional core: pure decisions over frozen dataclasses. No Slack, no database, no clock."""
