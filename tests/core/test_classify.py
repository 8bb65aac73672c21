"""Value-adding or routine, from the rep's note (bot.core.classify)."""

from __future__ import annotations

import pytest

from bot.core.classify import Classification, classify, mentions_problem, strip_override
from bot.core.model import Kind

VALUE, ROUTINE = Kind.VALUE, Kind.ROUTINE


@pytest.mark.parametrize(
    ("note", "kind", "because"),
    [
        # Routine: renewal paperwork
        ("sent renewal paperwork", ROUTINE, "paperwork"),
        ("emailed the renewal docs", ROUTINE, "paperwork"),
        ("sent them the forms to sign", ROUTINE, "paperwork"),
        # Routine: invoices, billing and payments
        ("sent invoice for the fleet policy", ROUTINE, "billing"),
        ("chased the overdue payment", ROUTINE, "billing"),
        ("they paid the premium", ROUTINE, "billing"),
        ("updated their direct debit details", ROUTINE, "billing"),
        # Routine: signatures
        ("got the renewal signed via DocuSign", ROUTINE, "a signature"),
        ("waiting on their signature", ROUTINE, "a signature"),
        # Routine: policy documents
        ("emailed the policy documents", ROUTINE, "policy documents"),
        ("sent a COI to their landlord", ROUTINE, "policy documents"),
        ("issued new ID cards", ROUTINE, "policy documents"),
        ("sent certificate of insurance", ROUTINE, "policy documents"),
        # Routine: holiday cards
        ("sent holiday card", ROUTINE, "a card"),
        ("Christmas card to the whole office", ROUTINE, "a card"),
        # Routine: newsletters and mass mailings
        ("sent the quarterly newsletter", ROUTINE, "a mailing"),
        ("included in the mass mailing about rate changes", ROUTINE, "a mailing"),
        # Value: calls and visits
        ("called to see how the new warehouse is going", VALUE, "a conversation"),
        ("phoned the owner", VALUE, "a conversation"),
        ("quick zoom with the CFO", VALUE, "a conversation"),
        ("lunch with the owner", VALUE, "a visit"),
        ("stopped by their new office", VALUE, "a visit"),
        ("sat down with the new finance director", VALUE, "a visit"),
        ("checked in after the move", VALUE, "checking in"),
        ("congratulated them on the expansion", VALUE, "checking in"),
        # Value: reviews
        ("reviewed their coverage", VALUE, "a review"),
        ("annual check-up on the fleet policy", VALUE, "a review"),
        ("walked them through the new cyber cover", VALUE, "a review"),
        # Value: advice
        ("advised on cyber cover", VALUE, "advice"),
        ("recommended raising the liability limit", VALUE, "advice"),
        ("explained the flood exclusion", VALUE, "advice"),
        # Value: help with a claim
        ("helped with their water damage claim", VALUE, "help with a claim"),
        ("their van was in an accident, sorted a hire car", VALUE, "help with a claim"),
        # Value: introductions
        ("introduced them to a good accountant", VALUE, "an introduction"),
        ("referral to a fleet telematics vendor", VALUE, "an introduction"),
        # Value: sharing something useful
        ("sent an article about the new EV charging rules", VALUE, "sharing something useful"),
        ("heads-up about the storm season", VALUE, "sharing something useful"),
        # Value: listening
        ("listened to their concerns about the new site", VALUE, "listening"),
        ("asked how the new hires are settling in", VALUE, "listening"),
        # Nothing to go on: routine, with no reason to quote.
        ("emailed", ROUTINE, None),
        ("left a voicemail", ROUTINE, None),
        ("texted", ROUTINE, None),
    ],
)
def test_rep_notes(note: str, kind: Kind, because: str | None) -> None:
    assert classify(note) == Classification(kind, because)


@pytest.mark.parametrize(
    ("note", "kind", "because"),
    [
        # Value topics beat routine topics.
        ("called about the invoice and advised on cyber cover", VALUE, "advice"),
        ("sent renewal docs and explained the changes", VALUE, "advice"),
        ("signed the renewal, then reviewed their fleet", VALUE, "a review"),
        ("sent the claim form", VALUE, "help with a claim"),
        # Routine topics beat a bare call: a call about an invoice is still admin.
        ("called about the invoice", ROUTINE, "billing"),
        ("called to chase the signature", ROUTINE, "a signature"),
        ("phoned to confirm they got the policy documents", ROUTINE, "policy documents"),
        # ...and a bare visit the same way.
        ("meeting about their billing dispute", ROUTINE, "billing"),
        ("dropped by to get the renewal paperwork signed", ROUTINE, "paperwork"),
        ("lunch, mostly about the direct debit", ROUTINE, "billing"),
    ],
)
def test_mixed_notes(note: str, kind: Kind, because: str | None) -> None:
    assert classify(note) == Classification(kind, because)


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        ("sent the invoice #value", VALUE),
        ("#value sent the invoice", VALUE),
        ("sent the invoice #VALUE", VALUE),
        ("reviewed coverage #routine", ROUTINE),
        ("called to say hi #Routine", ROUTINE),
        # The last tag wins.
        ("advised on cover #routine #value", VALUE),
        ("advised on cover #value #routine", ROUTINE),
    ],
)
def test_tags_override(note: str, kind: Kind) -> None:
    assert classify(note) == Classification(kind, None, overridden=True)


@pytest.mark.parametrize(
    "note",
    [
        "sent the invoice#value",  # glued to a word: not a tag
        "sent the invoice #valuable",
        "sent the invoice #values",
        "sent the invoice value",
    ],
)
def test_not_a_tag(note: str) -> None:
    result = classify(note)
    assert result.overridden is False
    assert result.kind is ROUTINE


@pytest.mark.parametrize(
    ("note", "cleaned", "tag"),
    [
        ("sent the invoice #value", "sent the invoice", VALUE),
        ("#routine reviewed coverage", "reviewed coverage", ROUTINE),
        ("advised  #value  on cover", "advised on cover", VALUE),
        ("#value", "", VALUE),
        ("  #routine  ", "", ROUTINE),
        ("reviewed #routine coverage #value", "reviewed coverage", VALUE),
        ("reviewed coverage", "reviewed coverage", None),
        ("", "", None),
    ],
)
def test_strip_override(note: str, cleaned: str, tag: Kind | None) -> None:
    assert strip_override(note) == (cleaned, tag)


def test_case_does_not_matter() -> None:
    assert classify("REVIEWED THEIR COVERAGE") == classify("reviewed their coverage")
    assert classify("Sent Holiday Card").kind is ROUTINE


def test_words_match_whole() -> None:
    # "reformed" has "form" in it, "informal" has "form" too; neither is paperwork.
    assert classify("reformed their board").because is None
    assert classify("informal chat").because == "a conversation"
    # "recall" is not a call.
    assert classify("product recall notice").kind is ROUTINE


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("helped with their water damage claim", True),
        ("they have a complaint about the adjuster", True),
        ("complained about the premium rise", True),
        ("problem with the direct debit", True),
        ("small issue with their ID cards", True),
        ("van accident on the M6", True),
        ("reported a loss at the warehouse", True),
        ("reviewed their coverage", False),
        ("sent holiday card", False),
        ("issued the new policy", False),
        ("", False),
    ],
)
def test_mentions_problem(note: str, expected: bool) -> None:
    assert mentions_problem(note) is expected


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        # Value-adding, in words reps use that the rules didn't know.
        ("mtg w/ apex", VALUE),
        ("tour of the new brewhouse", VALUE),
        ("tasting w/ owner", VALUE),
        ("board presentation on coverage", VALUE),
        ("went over the umbrella policy", VALUE),
        ("appt w/ dr patel re coverage", VALUE),
        ("ZOË'S KITCHEN walked them thru the liquor liability", VALUE),
        # Slips in a long word are read as the word meant.
        ("reviwed the property schedule", VALUE),
        ("recomended higher limits", VALUE),
        ("sent invioce", ROUTINE),
        ("emailed renewal aplication", ROUTINE),
        # Routine, even with a value word nearby.
        ("sent loss runs", ROUTINE),
        ("emailed the dec page", ROUTINE),
        ("zoom to sign the renewal", ROUTINE),
        ("called about the overdue premium", ROUTINE),
        ("sent pmt reminder", ROUTINE),
        ("added a driver to the auto policy", ROUTINE),
    ],
)
def test_free_phrasing(note: str, kind: Kind) -> None:
    assert classify(note).kind is kind


# Learning from the flip button


def test_flips_tip_a_note_only_past_the_floor_and_value_needs_more() -> None:
    from bot.core.classify import ROUTINE_FLOOR, VALUE_FLOOR
    from bot.core.model import FlipCount

    note = "wine flight w/ the owner"
    assert classify(note).kind is ROUTINE
    short = {"wine": FlipCount(to_value=VALUE_FLOOR - 1)}
    assert classify(note, short).kind is ROUTINE
    enough = {"wine": FlipCount(to_value=VALUE_FLOOR)}
    assert classify(note, enough) == Classification(VALUE, None, learned="wine")
    # Flips both ways cancel out.
    mixed = {"wine": FlipCount(to_value=VALUE_FLOOR, to_routine=1)}
    assert classify(note, mixed).kind is ROUTINE
    # Routine needs less: calling routine value-adding is the worse mistake.
    assert ROUTINE_FLOOR < VALUE_FLOOR
    to_routine = {"roster": FlipCount(to_routine=ROUTINE_FLOOR)}
    assert classify("called re the roster", to_routine).kind is ROUTINE
    # A tag still wins.
    assert classify("called re the roster #value", to_routine).kind is VALUE
