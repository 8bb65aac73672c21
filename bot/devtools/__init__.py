"""Developer tools: a local Slack Web API stand-in and helpers that sign requests like Slack."""
