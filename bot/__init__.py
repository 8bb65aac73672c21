"""Touchbase: a Slack bot that keeps client relationships warm."""
