"""Decide whether a touch added value for the client or was routine admin.

The rules read the rep's note. Topics that help the client (a review, advice, a claim, an
introduction, sharing something useful, listening, congratulations) always count as value.
Routine topics (paperwork, invoices, cards, mailings) count as routine even over the phone or
in person: a call or a visit about an invoice is still admin. A call, a visit or a check-in with
no routine topic counts as value. `#value` and `#routine` in the note override.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.model import FlipCount, Kind


@dataclass(frozen=True)
class Classification:
    kind: Kind
    # The words in the note that decided it, for the reply ("a claim"); None when nothing matched.
    because: str | None
    overridden: bool = False
    # The word whose flips in this workspace tipped the note, when they did.
    learned: str | None = None


def _pattern(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


# Each list maps a regex to the plain words the reply uses for it.
_VALUE_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Loss runs" are a claims history on paper: routine, not a loss.
    (_pattern(r"claims?", r"loss(?:es)?(?! runs?)", r"accident", r"damage"), "help with a claim"),
    (
        _pattern(
            r"review(?:ed|ing|s)?",
            r"check[- ]?up",
            r"walk(?:ed)? (?:\w+ ){0,3}(?:through|thru)",
            r"went over",
            r"go(?:ing)? over",
        ),
        "a review",
    ),
    (
        _pattern(
            r"advi[cs]e[ds]?",
            r"advising",
            r"recommend(?:ed|ation)?s?",
            r"suggest(?:ed|ion)s?",
            r"explain(?:ed)?",
            r"coverage gap",
            r"risk",
            r"answered (?:\w+ )?questions",
            r"brainstorm(?:ed)?",
        ),
        "advice",
    ),
    (
        _pattern(
            r"presentation",
            r"presented",
            r"demo",
            r"training",
            r"seminar",
            r"workshop",
            r"webinar",
        ),
        "a presentation",
    ),
    (
        _pattern(
            r"intro(?:duc(?:ed|tion|e))?s?", r"referr(?:al|ed)", r"connected (?:them|him|her)"
        ),
        "an introduction",
    ),
    (
        _pattern(
            r"shared",
            r"sent (?:an? )?(?:article|tip|guide|link|idea)s?",
            r"article",
            r"useful",
            r"heads[- ]up",
        ),
        "sharing something useful",
    ),
    (_pattern(r"listen(?:ed|ing)?", r"feedback", r"concerns?", r"asked how"), "listening"),
    (_pattern(r"congrat\w*", r"birthday call"), "checking in"),
)

_ROUTINE_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _pattern(
            r"paperwork",
            r"forms?",
            r"renewal (?:docs|documents|packet|pack|notice)s?",
            r"applications?",
            r"apps?",
            r"endorsements?",
            r"w-?9",
            r"loss runs?",
            r"cancell?ation",
            r"address change",
            r"added an? (?:driver|vehicle|location)",
            r"removed an? (?:driver|vehicle|location)",
        ),
        "paperwork",
    ),
    (
        _pattern(
            r"invoices?",
            r"invoiced",
            r"bill(?:s|ing|ed)?",
            r"payments?",
            r"paid",
            r"premium due",
            r"(?:overdue|late|unpaid) premium",
            r"direct debit",
            r"receipts?",
            r"pmt",
            r"inv",
            r"ach",
            r"autopay",
        ),
        "billing",
    ),
    (
        _pattern(r"signatures?", r"signed", r"sign", r"e-?sign(?:ed)?", r"docusign(?:ed)?"),
        "a signature",
    ),
    (
        _pattern(
            r"policy (?:docs|documents|schedule|wording)s?",
            r"documents?",
            r"certificates?",
            r"certs?",
            r"coi",
            r"id cards?",
            r"dec pages?",
            r"declarations? pages?",
            r"binders?",
        ),
        "policy documents",
    ),
    (
        _pattern(
            r"(?:holiday|christmas|xmas|birthday|season'?s greetings|new year) cards?", r"cards?"
        ),
        "a card",
    ),
    (
        _pattern(
            r"newsletters?",
            r"mass (?:mail|e-?mail)(?:ing)?s?",
            r"mailings?",
            r"mail ?merge",
            r"bulk e-?mail",
        ),
        "a mailing",
    ),
)

# Ways of meeting or talking that count as value when nothing routine was discussed: a visit
# about the invoice is admin, like a call about it.
_CONVERSATION: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _pattern(
            r"visit(?:ed)?",
            r"met",
            r"meeting",
            r"lunch",
            r"coffee",
            r"dinner",
            r"in person",
            r"stopped by",
            r"dropped by",
            r"went by",
            r"sat down with",
            r"site visit",
            r"mtgs?",
            r"meetings?",
            r"appts?",
            r"appointment",
            r"tour(?:ed)?",
            r"tasting",
            r"walk-?through",
            r"(?:site|dock|yard) walk",
            r"walked",
            r"golf",
            r"bbq",
            r"happy hour",
            r"drinks",
            r"breakfast",
            r"attended",
        ),
        "a visit",
    ),
    (
        _pattern(r"checked in", r"check[- ]in", r"caught up", r"catch[- ]up"),
        "checking in",
    ),
    (
        _pattern(
            r"call(?:ed|s)?",
            r"phoned?",
            r"rang",
            r"spoke",
            r"talked",
            r"chat(?:ted)?",
            r"zoom",
            r"teams",
            r"video call",
            r"facetime",
            r"skype",
            r"phone ?call",
            r"convo",
            r"conversation",
            r"discuss(?:ed|ion)?",
        ),
        "a conversation",
    ),
)

_OVERRIDE = re.compile(r"(?<!\w)#(value|routine)\b", re.IGNORECASE)


def strip_override(note: str) -> tuple[str, Kind | None]:
    """Remove a `#value` / `#routine` tag from the note; the last tag wins."""
    tags = _OVERRIDE.findall(note)
    if not tags:
        return note, None
    cleaned = re.sub(r"\s{2,}", " ", _OVERRIDE.sub("", note)).strip()
    return cleaned, Kind(tags[-1].lower())


def _first(topics: tuple[tuple[re.Pattern[str], str], ...], note: str) -> str | None:
    for pattern, words in topics:
        if pattern.search(note):
            return words
    return None


# Words the rules know, for reading a slip ("reviwed", "invioce") as the word meant. Only a
# long word one slip away is read so, both ways alike.
_KNOWN = [
    "reviewed",
    "reviewing",
    "meeting",
    "visited",
    "advised",
    "recommended",
    "recommendation",
    "chatted",
    "discussed",
    "explained",
    "introduced",
    "listened",
    "congratulated",
    "presentation",
    "walkthrough",
    "invoice",
    "invoices",
    "payment",
    "payments",
    "paperwork",
    "signature",
    "signed",
    "certificate",
    "certificates",
    "documents",
    "application",
    "newsletter",
    "renewal",
    "received",
]
_MIN_SLIP = 6
_WORD = re.compile(r"[a-z]+")


def _mend(note: str) -> str:
    """The note with each long unknown word one slip from a known one read as that word."""
    lowered = note.lower()
    out = []
    last = 0
    for found in _WORD.finditer(lowered):
        word = found.group()
        if len(word) < _MIN_SLIP or word in _KNOWN:
            continue
        near = process.extractOne(word, _KNOWN, scorer=OSA.distance, score_cutoff=1)
        if near is not None:
            out += [lowered[last : found.start()], near[0]]
            last = found.end()
    return "".join([*out, lowered[last:]]) if out else note


def classify(note: str, evidence: Mapping[str, FlipCount] | None = None) -> Classification:
    """Classify a note, honouring a `#value` / `#routine` tag, then the workspace's flips."""
    cleaned, override = strip_override(note)
    if override is not None:
        return Classification(override, None, overridden=True)
    verdict = _rules(_mend(cleaned))
    return _tipped(verdict, cleaned, evidence) if evidence else verdict


# Learning from the flip button: a word the workspace's reps keep flipping to one kind tips
# later notes with it, once the flips to that kind outnumber the others by a floor. Counting a
# routine touch as value-adding silences a renewal reminder, so that way needs more evidence.
VALUE_FLOOR = 5
ROUTINE_FLOOR = 3
_EVIDENCE_WORD = re.compile(r"[a-z][a-z'-]{2,}")
# Little words say nothing about a touch.
_NOT_EVIDENCE = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "about",
        "their",
        "them",
        "they",
        "this",
        "that",
        "from",
        "was",
        "were",
        "had",
        "has",
        "have",
        "our",
        "you",
        "your",
        "his",
        "her",
        "its",
        "out",
        "off",
        "over",
        "then",
        "than",
        "into",
        "onto",
        "just",
        "also",
        "very",
        "been",
        "are",
        "not",
        "but",
        "all",
        "any",
        "who",
        "what",
        "when",
        "where",
        "which",
        "while",
        "would",
        "could",
        "should",
        "will",
        "can",
        "did",
        "does",
    ]
)


def evidence_words(note: str, leave_out: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The words of a note that count as evidence, without little words or `leave_out` (the
    client's own name words: a flip is about what happened, not about whom)."""
    cleaned, _ = strip_override(note)
    words = _EVIDENCE_WORD.findall(cleaned.lower())
    return tuple(dict.fromkeys(w for w in words if w not in _NOT_EVIDENCE | leave_out))[:30]


def _tipped(
    verdict: Classification, note: str, evidence: Mapping[str, FlipCount]
) -> Classification:
    kind = verdict.kind.flipped()
    best: tuple[int, str] | None = None
    for word in evidence_words(note):
        count = evidence.get(word)
        if count is None:
            continue
        lead = (
            count.to_value - count.to_routine
            if kind is Kind.VALUE
            else count.to_routine - count.to_value
        )
        floor = VALUE_FLOOR if kind is Kind.VALUE else ROUTINE_FLOOR
        if lead >= floor and (best is None or lead > best[0]):
            best = (lead, word)
    if best is None:
        return verdict
    return Classification(kind, None, learned=best[1])


def _rules(cleaned: str) -> Classification:
    if value := _first(_VALUE_TOPICS, cleaned):
        return Classification(Kind.VALUE, value)
    if routine := _first(_ROUTINE_TOPICS, cleaned):
        return Classification(Kind.ROUTINE, routine)
    if conversation := _first(_CONVERSATION, cleaned):
        return Classification(Kind.VALUE, conversation)
    return Classification(Kind.ROUTINE, None)


_PROBLEM = _pattern(
    r"claims?",
    r"complain(?:t|ts|ed)?",
    r"problems?",
    r"issues?",
    r"accident",
    r"loss(?:es)?",
    r"damage",
)


def mentions_problem(note: str) -> bool:
    """True when the note talks about a claim or a problem, worth a check-in later."""
    return bool(_PROBLEM.search(note))
