"""Which shop a person means by what they typed — a pure rule over the directory's names.

"Avtech" on a new RO is Avtech Hydraulics, not a new shop with no email and no terms. The
tiers, first that finds anything wins:

    exact       the same name, ignoring case and spacing ("avtech  hydraulics")
    normalised  the same letters and digits ("Avtech-Hydraulics, Inc." = "AVTECH HYDRAULICS INC")
    prefix      names whose words start with the typed words, in order ("avtech hyd")
    contains    names containing the typed text ("hydraulics")
    fuzzy       a close spelling ("avtek hydraulics"), taken only when one name is clearly closest

A tier that finds one shop matches it; several make the person choose (`candidates`); none at
all is `none` (the caller offers to create the shop, with the close names if any).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

FUZZY_TAKE = 0.85  # one name at least this close (and clearly ahead) is taken
FUZZY_OFFER = 0.6  # names at least this close are offered
FUZZY_LEAD = 0.1  # how far ahead of the next name the closest must be to be taken
MAX_CANDIDATES = 6
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


def name_words(text: object) -> list[str]:
    """Uppercase ASCII words of letters and digits: "Avtech-Hydraulics, Inc." -> 3 words."""
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return [w for w in _NON_ALNUM.split(folded.upper()) if w]


@dataclass(frozen=True)
class ShopMatch:
    how: str  # exact, normalised, prefix, contains, fuzzy, ambiguous, none
    name: str | None = None  # the shop matched (when one was)
    candidates: list[str] = field(default_factory=list)  # to choose from, or close names

    @property
    def found(self) -> bool:
        return self.name is not None


def match_shop(typed: str, names: Iterable[str]) -> ShopMatch:
    """The shop `typed` means among `names` (see the module's tiers)."""
    words = name_words(typed)
    if not words:
        return ShopMatch("none")
    known = sorted(set(names), key=str.upper)
    spaced = " ".join(str(typed).upper().split())
    joined = "".join(words)
    tiers = (
        ("exact", lambda n: " ".join(n.upper().split()) == spaced),
        ("normalised", lambda n: "".join(name_words(n)) == joined),
        ("prefix", lambda n: _starts_words(name_words(n), words)),
        ("contains", lambda n: joined in "".join(name_words(n))),
    )
    for how, test in tiers:
        found = [n for n in known if test(n)]
        if len(found) == 1:
            return ShopMatch(how, found[0])
        if found:
            return ShopMatch("ambiguous", candidates=found[:MAX_CANDIDATES])
    scored = sorted(
        ((_closeness(words, n), n) for n in known), key=lambda pair: (-pair[0], pair[1].upper())
    )
    close = [(score, n) for score, n in scored if score >= FUZZY_OFFER]
    if close and close[0][0] >= FUZZY_TAKE:
        runner_up = close[1][0] if len(close) > 1 else 0.0
        if close[0][0] - runner_up >= FUZZY_LEAD:
            return ShopMatch("fuzzy", close[0][1])
        return ShopMatch("ambiguous", candidates=[n for _, n in close[:MAX_CANDIDATES]])
    return ShopMatch("none", candidates=[n for _, n in close[:3]])


def _starts_words(name: list[str], typed: list[str]) -> bool:
    """The typed words start consecutive words of the name: "avtech hyd" in AVTECH HYDRAULICS,
    "hyd" in AVTECH HYDRAULICS too (any word may be the first)."""
    for first in range(len(name) - len(typed) + 1):
        if all(name[first + i].startswith(w) for i, w in enumerate(typed)):
            return True
    return False


def _closeness(typed: list[str], name: str) -> float:
    """How close the typed words are to the name, whole or to as many of its leading words."""
    words = name_words(name)
    text = " ".join(typed)
    heads = [" ".join(words[:k]) for k in range(1, len(words) + 1)]
    return max((difflib.SequenceMatcher(None, text, h).ratio() for h in heads), default=0.0)
