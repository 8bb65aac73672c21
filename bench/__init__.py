"""Benchmarks for Touchbase: `make bench` (or `python -m bench`) writes docs/benchmarks.md.

These are measurements, not tests. Each script measures a figure side by side with its floor
(a bare Bolt app, the raw SQL, the bare Web API calls, ...) in the same run, and returns a
`bench.common.Section` for the report:

- `bench.touch_latency` — `/touch` ack latency over HTTP against `touchbase serve`
- `bench.nudge_pass`    — the nudge pass's planning half at 1k … 1M clients
- `bench.delivery`      — 1,000 digests through a slow, flaky Slack stand-in
- `bench.startup`       — `touchbase serve` to the first 200 on /healthz
- `bench.recap`         — the weekly recap (owned by the recap work; optional here)

Every script is reusable: `run(...)` takes its sizes as parameters.
"""
