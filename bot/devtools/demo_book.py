"""A believable book for the demo: three reps in three zones and about thirty clients.

Deterministic for a given seed and start day, so a run can be repeated.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from bot.core.dates import anniversary
from bot.core.model import Kind, Tier


@dataclass(frozen=True)
class DemoRep:
    user_id: str
    name: str
    real_name: str
    tz: str
    email: str


REPS = (
    DemoRep("U0DEMOSAM", "sam", "Sam Rivera", "America/New_York", "sam@harbor-insurance.example"),
    DemoRep(
        "U0DEMOPRIYA", "priya", "Priya Shah", "Europe/London", "priya@harbor-insurance.example"
    ),
    DemoRep(
        "U0DEMOKENJI", "kenji", "Kenji Watanabe", "Asia/Tokyo", "kenji@harbor-insurance.example"
    ),
)

CLIENT_NAMES = (
    "Acme Insurance Group",
    "Brightside Bakery",
    "Northwind Traders",
    "Harbor Dental",
    "Bluebird Logistics",
    "Cedar Ridge Vineyards",
    "Summit Physiotherapy",
    "Greenleaf Landscaping",
    "Lighthouse Marine",
    "Oak & Ivy Interiors",
    "Pioneer Auto Repair",
    "Riverside Veterinary",
    "Silver Fern Cafe",
    "Tidewater Fisheries",
    "Union Street Books",
    "Willow Creek Farms",
    "Copperfield Architects",
    "Maple Grove Dentistry",
    "Redwood Property Management",
    "Starlight Events",
    "Keystone Plumbing",
    "Evergreen Daycare",
    "Falcon Courier Services",
    "Golden Gate Bistro",
    "Ironclad Fabrication",
    "Juniper Yoga Studio",
    "Kingfisher Pools",
    "Lakeside Pharmacy",
    "Meridian Accounting",
    "Nightingale Home Care",
)

ALIASES = {"Acme Insurance Group": ("acme",), "Northwind Traders": ("northwind",)}

VALUE_NOTES = (
    "called to review their cover before the busy season",
    "visited the site and walked through their fleet risks",
    "helped with a claim after the storm damage",
    "lunch with the owner, listened to their expansion plans",
    "introduced them to a good accountant",
    "shared an article on cyber cover for small firms",
    "advice on raising their liability limit",
)
ROUTINE_NOTES = (
    "sent the renewal paperwork",
    "emailed the invoice",
    "sent policy documents for signature",
    "holiday card",
    "newsletter",
    "chased the direct debit form",
)


@dataclass(frozen=True)
class DemoClient:
    name: str
    aliases: tuple[str, ...]
    owner: DemoRep
    tier: Tier
    renewal_date: dt.date
    # The story this client tells: "cared" (well looked after), "quiet" (gone quiet) or
    # "paperwork" (renewal coming with only paperwork since the last one).
    story: str


@dataclass(frozen=True)
class DemoTouch:
    client: str
    rep: DemoRep
    day: dt.date
    note: str
    kind: Kind


def build(start: dt.date, seed: int) -> tuple[list[DemoClient], list[DemoTouch]]:
    """Clients and a year of history before `start`, with a mix of stories."""
    rng = random.Random(seed)
    stories = ["cared"] * 12 + ["quiet"] * 10 + ["paperwork"] * 8
    rng.shuffle(stories)
    clients: list[DemoClient] = []
    touches: list[DemoTouch] = []
    for index, (name, story) in enumerate(zip(CLIENT_NAMES, stories, strict=True)):
        owner = REPS[index % len(REPS)]
        tier = rng.choice((Tier.A, Tier.A, Tier.B, Tier.B, Tier.B, Tier.C))
        if story == "paperwork":
            # Renews within the next two months; last renewal a year before.
            renewal = start + dt.timedelta(days=rng.randint(5, 55))
        else:
            renewal = start + dt.timedelta(days=rng.randint(20, 360))
        renewal = anniversary(renewal, renewal.year - 1)  # stored as the last renewal date
        client = DemoClient(name, ALIASES.get(name, ()), owner, tier, renewal, story)
        clients.append(client)
        touches += _history(client, start, rng)
    return clients, touches


def _history(client: DemoClient, start: dt.date, rng: random.Random) -> list[DemoTouch]:
    def touch(days_ago: int, value: bool) -> DemoTouch:
        note = rng.choice(VALUE_NOTES if value else ROUTINE_NOTES)
        kind = Kind.VALUE if value else Kind.ROUTINE
        return DemoTouch(client.name, client.owner, start - dt.timedelta(days=days_ago), note, kind)

    match client.story:
        case "cared":
            # Regular value contact, the last one recently.
            gaps = sorted(rng.sample(range(3, 330), 6))
            return [touch(gaps[0], True)] + [touch(d, rng.random() < 0.6) for d in gaps[1:]]
        case "quiet":
            # Nothing for months: longer than the tier's cadence.
            last = rng.randint(70, 160)
            return [touch(last, True), touch(last + rng.randint(30, 90), False)]
        case _:
            # Paperwork since the last renewal; the last value contact was before it.
            since_renewal = (start - client.renewal_date).days
            return [
                touch(rng.randint(2, 25), False),
                touch(rng.randint(30, max(31, since_renewal - 5)), False),
                touch(since_renewal + rng.randint(20, 60), True),
            ]
