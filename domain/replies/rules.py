"""The offline reader: what a shop said, from deterministic rules over the common phrasings.

`read_reply(text, ro_numbers, today)` reads the NEW part of a reply (domain/replies/quoting.py)
sentence by sentence and answers a `ReplyFacts` per RO, every field with the sentence it came
from. What it reads:

    status     what the shop reports: a quote sent (WAITING QUOTE: the RO waits for our
               approval), our approval received (APPROVED), in work / on the bench / teardown
               (IN WORK), on hold / awaiting parts (ON HOLD), shipped / sent out / a tracking
               number (SHIPPED), BER, returned as is / RAI (RAI), scrap (SCRAP). Only these: a
               shop does not tell us an RO is PAID or RECEIVED. Several in one reply: the
               strongest wins (an outcome over shipped over on hold over in work...). Whether
               the RO may move there is the proposal's business (it filters invalid moves).
    tracking   checked numbers only (domain/replies/tracking.py), with the carrier
    ship date  on a "shipped" sentence: today, yesterday, Monday, 12/01, Dec 1 (not future)
    ETA        "ETA 12/10", "expect delivery Friday", "should arrive by Dec 10" (not past; a
               date without a year is this year's or next, and a ship date more than
               MAX_DAYS_BACK ago or an ETA beyond MAX_DAYS_AHEAD is not believed)
    amount     with a currency and a kind (invoice / quote) named in the same sentence;
               "$2,750.00", "USD 1,200", "€950", "2.750,00 EUR"; no kind, no amount
    shop ref   "our ref / WO / work order / SO / job / RMA 12345"

Nothing is read from a question ("has it shipped yet?"), a request ("please advise if you want
it returned as is"), a condition ("once approved we will start"), a negation or a future
("not shipped yet", "will ship next week": no SHIPPED, and no ETA either, a ship plan is not a
delivery date). Dates are US month/day unless the first number cannot be a month.

Which RO a sentence is about: a sentence naming one or more of the reply's ROs applies to those
only, and the sentences after it in the same paragraph follow it ("RO 38462:\\nShipped today.");
a sentence naming an RO that is not among them applies to none; any other applies to all.

A reply that addresses whoever reads it ("ignore previous instructions", "mark all ROs paid",
"you are now", "system prompt": `looks_like_instructions`) is read as nothing at all: no fact
from it is proposed, since the facts around such text are as untrustworthy as the text; the
caller flags it "instructions" for a person. An out-of-office answer (`looks_like_auto_reply`)
says nothing about the unit either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol

from domain.replies.facts import Evidence, ReplyFacts
from domain.replies.ro_numbers import find_ro_numbers
from domain.replies.tracking import Around, around, find_tracking
from domain.statuses import Status

# What a shop can tell us about an RO (the rest are the desk's own steps).
SHOP_STATUSES = (
    Status.WAITING_QUOTE,
    Status.APPROVED,
    Status.IN_WORK,
    Status.ON_HOLD,
    Status.SHIPPED,
    Status.BER,
    Status.RAI,
    Status.SCRAP,
)
# Several statuses in one reply: the strongest is what the shop is telling us ("repaired and
# shipped" is SHIPPED; "in work, on hold awaiting parts" is ON HOLD; "BER, returned as is" BER).
_RANK = {
    Status.WAITING_QUOTE: 1,
    Status.APPROVED: 2,
    Status.IN_WORK: 3,
    Status.ON_HOLD: 4,
    Status.SHIPPED: 5,
    Status.RAI: 6,
    Status.BER: 7,
    Status.SCRAP: 8,
}

_I = re.IGNORECASE
MAX_DAYS_BACK, MAX_DAYS_AHEAD = 120, 365
MAX_READ_CHARS = 20_000  # a reply's new part longer than this is read up to here


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), _I)


_STATUS: tuple[tuple[Status, re.Pattern[str]], ...] = (
    (
        # the unit scrapped, not "we scrapped the old seals" or "no scrap charge"
        Status.SCRAP,
        _rx(
            r"\b(?:unit|part|item|core|it|assembly|component|actuator|pump|valve)\b[^.;,]{0,25}"
            r"\bscrap(?:ped)?\b",
            r"\bscrap(?:ped)?\s+(?:the|your|this)\s+(?:unit|part|item|core|assembly)\b",
            r"^\W*(?:unit\s+)?scrap(?:ped)?\W*$",
            r"\b(?:unidad|pieza)\s+(?:fue\s+)?desechad[oa]\b",
            r"\bverschrottet\b",
        ),
    ),
    (
        Status.BER,
        _rx(
            r"\bBER\b",
            r"\bbeyond\s+(?:economic(?:al)?|economically)\s+repair",
            r"\bnot\s+(?:economical(?:ly)?|cost[\s-]effective)\s+(?:to\s+)?repair",
            r"\bnot\s+worth\s+repairing\b",
            r"\bno\s+(?:es\s+)?econ[óo]micamente\s+reparable\b",
        ),
    ),
    (
        Status.RAI,
        _rx(
            r"\bRAI\b",
            r"\breturn(?:ed|ing)?\s+(?:it\s+|the\s+unit\s+)?(?:(?:back\s+)?to\s+you\s+)?"
            r"(?:as[\s-]is|unrepaired|without\s+repair)",
            r"\b(?:no\s+fault\s+found|NFF|could\s+not\s+duplicate)\b.{0,80}\breturn",
            r"\breturn.{0,80}\b(?:no\s+fault\s+found|NFF)\b",
            r"\bdevuelt[oa]\s+sin\s+reparar\b",
        ),
    ),
    (
        Status.SHIPPED,
        _rx(
            r"\bshipped\b",
            r"\bhas\s+shipped\b",
            r"\bsent\s+(?:it\s+)?(?:out|back)\b",
            r"\b(?:was|were|been|got)\s+sent\b",
            r"\bwe\s+sent\s+(?:it|the\s+unit|your\s+unit|the\s+part)\b",
            r"\bon\s+(?:its|it's|the|their)\s+way\b",
            r"\bdispatched\b",
            r"\bpicked\s+up\s+by\b",
            r"\bleft\s+our\s+(?:facility|dock|building|shop)\b",
            r"\bin\s+transit\b",
            r"\bout\s+for\s+delivery\b",
            r"\b(?:fue|fueron|ha\s+sido|han\s+sido)\s+(?:enviad[oa]s?|despachad[oa]s?)\b",
            r"\benviamos\b",
            r"\ba\s+[ée]t[ée]\s+exp[ée]di[ée]e?\b",
            r"\bwurde\s+(?:heute\s+|gestern\s+)?(?:versandt|verschickt|versendet)\b",
            r"\bfoi\s+(?:enviad[oa]|despachad[oa])\b",
        ),
    ),
    (
        Status.ON_HOLD,
        _rx(
            r"\bon\s+hold\b",
            r"\b(?:awaiting|waiting\s+(?:on|for))\s+(?:parts?|material|components?)\b",
            r"\bparts?\s+(?:are\s+|is\s+)?on\s+back\s*order\b",
            r"\bback[\s-]?ordered\b",
            r"\ben\s+espera\s+de\s+(?:piezas|partes|repuestos)\b",
        ),
    ),
    (
        Status.IN_WORK,
        _rx(
            r"\bin\s+work\b",
            r"\bbeing\s+(?:repaired|worked(?:\s+on)?|overhauled|tested)\b",
            r"\bon\s+the\s+bench\b",
            r"\btear\s*-?\s*down\b",
            r"\btorn\s+down\b",
            r"\bunder\s+repair\b",
            r"\bin\s+(?:repair|progress|process|test(?:ing)?|overhaul)\b",
            r"\b(?:work|repair)\s+(?:has\s+)?(?:started|begun)\b",
            r"\bstarted\s+(?:the\s+)?(?:repair|work|teardown|overhaul)\b",
            r"\bworking\s+on\s+(?:it|the\s+unit|your\s+unit)\b",
            r"\ben\s+reparaci[óo]n\b",
            r"\ben\s+cours\s+de\s+r[ée]paration\b",
            r"\bem\s+reparo\b",
            r"\bin\s+Reparatur\b",
        ),
    ),
    (
        Status.APPROVED,
        _rx(
            r"\b(?:received|got|have)\s+(?:your|the)\s+(?:approval|go[\s-]ahead|authori[sz]ation)\b",
            r"\bapproval\s+(?:received|noted|is\s+noted)\b",
            r"\b(?:quote|repair|work)\s+(?:has\s+been\s+|was\s+|is\s+)?approved\b",
            r"\bthanks?(?:\s+you)?\s+for\s+(?:the\s+|your\s+)?approv(?:al|ing)\b",
            r"\brecibimos\s+(?:su|la)\s+aprobaci[óo]n\b",
        ),
    ),
    (
        Status.WAITING_QUOTE,
        _rx(
            r"\b(?:quote|quotation|estimate)\s+(?:is\s+)?(?:attached|enclosed|below)\b",
            r"\battached\s+(?:is|are|please\s+find)?\s*(?:our|the|your)?\s*(?:quote|quotation)",
            r"\bour\s+(?:quote|quotation)\s+(?:is|for|comes)\b",
            r"\b(?:please\s+)?(?:find|see)\s+(?:attached\s+)?(?:our|the)\s+(?:quote|quotation)",
            r"\bquoted?\s+(?:at|price|total)\b",
            r"\bquote\s+(?:amount|of)\b",
            r"\b(?:awaiting|pending|waiting\s+(?:on|for))\s+(?:your\s+)?(?:approval|go[\s-]ahead)\b",
            r"\bplease\s+approve\b",
            r"\bcotizaci[óo]n\s+(?:adjunta|es|por)\b",
            r"\bdevis\s+(?:ci-joint|joint)\b",
            r"\bAngebot\s+(?:anbei|im\s+Anhang)\b",
            r"\bor[çc]amento\s+(?:em\s+)?anexo\b",
        ),
    ),
)
# A status word right after one of these is not a fact: "not shipped", "will be shipped",
# "hasn't been repaired", "about to ship", "once approved".
_BLOCKED_BEFORE = re.compile(
    r"(?:\b(?:not|never|no(?!,)|nothing|none|will|would|should|shall|can|cannot|could|may|might"
    r"|must|once|until|before|when|if|unless|whether|about|pending|longer|won't|ready|want"
    r"|wants|wish|prefer|or|either|option|needs?)\b|n't)\s+(?:[\w'-]+\s+){0,2}$"
    r"|\bto\s+(?:be\s+|have\s+been\s+)?$",  # "to be shipped", not "return to service and"
    _I,
)
# Whole sentences that assert nothing: a condition, a request, an offer of options.
_HYPOTHETICAL = re.compile(
    r"^\W*(?:if|unless|in\s+case|once|when|as\s+soon\s+as|upon"
    r"|should\s+(?:you|we|they|there|the|this|it|any|your)\b)\b"
    r"|\b(?:advise|let\s+(?:me|us)\s+know|confirm|tell\s+us)\s+(?:if|whether|how|what|which)\b"
    r"|\bdo\s+you\s+(?:want|wish|prefer)\b|\bwould\s+you\s+(?:like|prefer)\b",
    _I,
)
_QUESTION_END = re.compile(r"\?\s*[\"')]*\s*$")

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january ene enero janv janvier januar janeiro",
            "feb february febrero feb fevr fevrier février februar fevereiro fev",
            "mar march marzo mars marz märz marco março",
            "apr april abr abril avr avril",
            "may mayo mai maio",
            "jun june junio juin juni junho",
            "jul july julio juil juillet juli julho",
            "aug august ago agosto aout août",
            "sep sept september septiembre septembre setembro set",
            "oct october octubre octobre oktober outubro okt out",
            "nov november noviembre novembre novembro",
            "dec december dic diciembre dez decembre décembre dezember dezembro",
        ]
    )
    for m in names.split()
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            "monday mon lunes lundi montag segunda",
            "tuesday tue tues martes mardi dienstag terça terca",
            "wednesday wed miércoles miercoles mercredi mittwoch quarta",
            "thursday thu thur thurs jueves jeudi donnerstag quinta",
            "friday fri viernes vendredi freitag sexta",
            "saturday sat sábado sabado samedi samstag",
            "sunday sun domingo dimanche sonntag",
        ]
    )
    for name in names.split()
}
_DATES = re.compile(
    r"(?P<iso>\b(?P<iy>20\d\d)-(?P<im>\d\d)-(?P<id>\d\d)\b)"
    r"|(?P<num>(?<![\d/.$€£-])(?P<n1>\d{1,2})[/.](?P<n2>\d{1,2})(?:[/.](?P<ny>\d{4}|\d{2}))?"
    r"(?![\d/]|\.\d))"
    r"|(?P<md>\b" + _MONTH.replace("mon>", "mon1>") + r"\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<y1>20\d\d))?)"
    r"|(?P<dm>\b(?P<d2>\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?"
    + _MONTH.replace("mon>", "mon2>")
    + r"\b(?:,?\s+(?:de\s+)?(?P<y2>20\d\d))?)"
    r"|(?P<rel>\b(?:today|this\s+(?:morning|afternoon|evening)|tonight|earlier\s+today|hoy"
    r"|esta\s+mañana|aujourd'hui|ce\s+matin|heute|hoje|yesterday|ayer|hier|gestern|ontem"
    r"|tomorrow|mañana|demain|morgen|amanhã|amanha)\b)"
    r"|(?P<wd>\b(?P<wdp>next\s+|this\s+|last\s+|on\s+|by\s+|el\s+|le\s+|am\s+)?(?P<wdn>"
    + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
    + r")\b\.?)"
    r"|(?P<in>\bin\s+(?P<inn>\d{1,2}|one|two|three|four|five|six|seven|ten)\s+"
    r"(?P<inb>business\s+|working\s+)?days?\b)",
    _I,
)
_SMALL = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "ten": 10,
}
_RELATIVE = {
    "today": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "tonight": 0,
    "earlier today": 0,
    "hoy": 0,
    "esta mañana": 0,
    "aujourd'hui": 0,
    "ce matin": 0,
    "heute": 0,
    "hoje": 0,
    "yesterday": -1,
    "ayer": -1,
    "hier": -1,
    "gestern": -1,
    "ontem": -1,
    "tomorrow": 1,
    "mañana": 1,
    "demain": 1,
    "morgen": 1,
    "amanhã": 1,
    "amanha": 1,
}
_ETA = _rx(
    # not "ETA for parts" (the shop's supply, not our delivery)
    r"\bE\.?T\.?A\b\.?(?!\s*(?:for|on|of)\s+(?:the\s+)?(?:parts?|material|components?|completion"
    r"|quote|evaluation|teardown|repair)\b)",
    r"\bestimated\s+(?:time\s+of\s+)?(?:arrival|delivery)",
    r"\bexpect(?:ed)?\s+(?:delivery|arrival|it\s+(?:to\s+arrive|by|on)|to\s+(?:arrive|deliver))",
    r"\b(?:should|will|to)\s+(?:arrive|be\s+delivered|reach\s+you|be\s+there|get\s+to\s+you)",
    r"\bscheduled\s+(?:for\s+)?delivery\b",
    r"\bdelivery\s+(?:is\s+)?(?:expected|scheduled|date|by|on)\b",
    r"\barriv(?:e|ing|al)\s+(?:by|on)\b",
    r"\bdue\s+(?:to\s+arrive|for\s+delivery)\b",
    r"\bfecha\s+(?:estimada\s+)?de\s+(?:entrega|llegada)\b",
    r"\bllegar[áa]\b",
    r"\blivraison\s+pr[ée]vue\b",
    r"\bLiefertermin\b",
    r"\bprevis[ãa]o\s+de\s+entrega\b",
)

_SYMBOLS = {"us$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "c$": "CAD", "ca$": "CAD"}
_SYMBOLS |= {"a$": "AUD", "au$": "AUD"}
_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "MXN", "BRL", "JPY", "SGD")
_WORDS = {"dollars": "USD", "euros": "EUR", "pounds": "GBP"}
# 2,750.00 / 2.750,00 / 2'750.00 / 2 750,00 (a plain space only before comma decimals) / 950
_NUMBER = (
    r"\d{1,3}(?:[,.'\u202f\u00a0]\d{3})+(?:[.,]\d{1,2})?|\d{1,3}(?: \d{3})+,\d{2}"
    r"|\d+(?:[.,]\d{1,2})?"
)
_SYM = r"US\$|CA\$|C\$|AU\$|A\$|\$|€|£"
_CODE = "|".join(_CODES)
_AMOUNT = re.compile(
    rf"(?P<c1>{_CODE})\s?(?:{_SYM})?\s?(?P<a1>{_NUMBER})(?![\d%])"
    rf"|(?P<s2>{_SYM})\s?(?P<a2>{_NUMBER})(?![\d%])(?:\s?(?P<c2>{_CODE})\b)?"
    rf"|(?<![\w.,])(?P<a3>{_NUMBER})\s?(?:(?P<s3>€|\$|£)|(?P<c3>{_CODE})\b|(?P<w3>dollars|euros"
    r"|pounds)\b)",
    _I,
)
_INVOICE = _rx(
    r"\binvoic(?:e|ed|ing)\b",
    r"\bbill(?:ed)?\b",
    r"\bfinal\s+(?:cost|price|amount|charges?)\b",
    r"\b(?:total|amount|balance)\s+due\b",
    r"\bfactura\b",
    r"\bfacture\b",
    r"\bRechnung\b",
    r"\bfatura\b",
)
_QUOTE = _rx(
    r"\bquot(?:e|ed|ation)\b",
    r"\bestimate[ds]?\b",
    r"\bcotizaci[óo]n\b",
    r"\bpresupuesto\b",
    r"\bdevis\b",
    r"\bAngebot\b",
    r"\bor[çc]amento\b",
    r"\b(?:repair|overhaul)\s+(?:cost|price|charge)\b",
    r"\bcost\s+to\s+repair\b",
    r"\bnot\s+to\s+exceed\b",
    r"\bNTE\b",
)
_SHOP_REF = re.compile(
    r"(?:\b(?i:our\s+(?:ref(?:erence)?|job|order|work\s+order|sales\s+order|file|RMA|W/?O|S/?O))"
    r"|\b(?i:work\s+order|sales\s+order|RMA|ref(?:erence)?|job)|\b(?:WO|W/O|SO|S/O))"
    r"(?i:\s*(?:#|no\.?|number|nr\.?)?\s*[:#]?\s*(?:is\s+|was\s+)?)"
    r"(?P<ref>[A-Z0-9][A-Z0-9\-/]{1,24})",
)
_INSTRUCTIONS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|of\s+)*"
    r"(?:previous|prior|above|earlier|preceding|former|system|original|other)?\s*"
    r"(?:instructions?|prompts?|rules|directives|guidelines|programming)\b"
    r"|\byou\s+are\s+now\b"
    r"|\bsystem\s+prompt\b"
    r"|\bmark\s+(?:all|every|each)\s+(?:of\s+(?:the|our|your)\s+)?(?:the\s+)?"
    r"(?:ROs?|repair\s+orders?|orders?|units?)\b"
    r"|\b(?:set|change|update|move)\s+(?:the\s+)?(?:status\s+(?:of|for)\s+)?(?:all|every|each)"
    r"\s+(?:the\s+)?(?:ROs?|repair\s+orders?|orders?)\b"
    r"|\bnew\s+instructions\b|\bdeveloper\s+mode\b|\bjailbreak"
    r"|\bas\s+an?\s+(?:AI|language\s+model)\b"
    r"|\b(?:AI|assistant|model|LLM|chatbot|bot|agent)\s*[:,]\s*(?:please\s+)?(?:ignore|mark|set"
    r"|change|update|approve|pay|delete|apply|confirm)\b"
    r"|</?\s*(?:system|instructions?|email|assistant|user)\s*>|\[/?INST\]|<\|[a-z_]+\|>"
    r"|\bdo\s+not\s+(?:tell|inform|notify|alert)\s+(?:the\s+)?(?:user|desk|human|person)\b",
    _I,
)
_AUTO_REPLY = re.compile(
    r"\b(?:out\s+of\s+(?:the\s+)?office|automatic\s+reply|auto[\s-]?reply|away\s+from\s+(?:the\s+"
    r"|my\s+)?(?:office|desk)|(?:on|taking)\s+(?:annual\s+|parental\s+|sick\s+)?leave"
    r"|on\s+(?:vacation|holiday|PTO)|limited\s+access\s+to\s+(?:my\s+)?e-?mail"
    r"|fuera\s+de\s+la\s+oficina|absente?\s+du\s+bureau|nicht\s+im\s+B[üu]ro|au(?:ß|ss)er\s+Haus"
    r"|fora\s+do\s+escrit[óo]rio)\b",
    _I,
)
_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening|day)|greetings|hola|buenos"
    r"\s+d[íi]as|buenas\s+tardes|estimad[oa]s?|bonjour|bonsoir|guten\s+(?:tag|morgen)|hallo"
    r"|sehr\s+geehrte|ol[áa]|bom\s+dia|boa\s+tarde|prezad[oa]s?|ciao|buongiorno)\b[^.!?\n]{0,40}"
    r"[,!:.]?\s*$",
    _I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(¿¡]?[A-Z0-9])|(?<=[;])\s+")
_ABBREVIATION = re.compile(
    r"\b(?:approx|inv|no|nr|dec|nov|oct|sept?|aug|jul|jun|apr|mar|feb|jan|inc|ltd|co|corp|mr|mrs"
    r"|ms|dr|st|e\.g|i\.e|vs|p\.o|r\.o|u\.s|ref|est|qty|p/n|s/n|a\.m|p\.m)\.$",
    _I,
)


@dataclass(frozen=True)
class ReplyReading:
    """What a reader made of a reply: the facts per RO, which reader it was, and flags for a
    person ("instructions", "auto_reply")."""

    facts: dict[str, ReplyFacts]
    reader: str  # rules | model
    flags: tuple[str, ...] = ()
    note: str | None = None  # e.g. why the model was not used


class ReplyReader(Protocol):
    """A reader of replies: the rules (offline) or the model (integrations/mail/reply_model)."""

    name: str

    def read(self, text: str, ro_numbers: list[str], today: date) -> ReplyReading: ...


class RulesReplyReader:
    """The offline reader behind the same `read` as the model reader."""

    name = "rules"

    def read(self, text: str, ro_numbers: list[str], today: date) -> ReplyReading:
        return read_with_rules(text, ro_numbers, today)


def read_with_rules(text: str, ro_numbers: list[str], today: date) -> ReplyReading:
    flags = tuple(
        flag
        for flag, found in (
            ("instructions", looks_like_instructions(text)),
            ("auto_reply", looks_like_auto_reply(text)),
        )
        if found
    )
    return ReplyReading(read_reply(text, ro_numbers, today), "rules", flags)


def looks_like_instructions(text: str) -> bool:
    """Text addressed to a machine reader rather than to the desk (prompt injection)."""
    return bool(_INSTRUCTIONS.search(text or ""))


def looks_like_auto_reply(text: str) -> bool:
    """An out-of-office answer: the phrase early in a short message."""
    text = text or ""
    return len(text.split()) <= 150 and bool(_AUTO_REPLY.search(text[:400]))


def read_reply(text: str, ro_numbers: list[str], today: date) -> dict[str, ReplyFacts]:
    """What the reply says about each RO in `ro_numbers` (canonical numbers)."""
    numbers = list(dict.fromkeys(ro_numbers))
    if looks_like_instructions(text):
        note = "The reply contains instructions to whoever reads it; nothing was read from it."
        return {n: ReplyFacts(summary=note) for n in numbers}
    if looks_like_auto_reply(text):
        return {n: ReplyFacts(summary="An automatic reply (out of office).") for n in numbers}
    text = (text or "")[:MAX_READ_CHARS]
    found: dict[str, _Found] = {n: _Found() for n in numbers}
    near = around(text)
    for paragraph in _paragraphs(text):
        scope: list[str] | None = None
        for sentence in _sentences(paragraph):
            named = find_ro_numbers(sentence, numbers)
            if named:
                scope = [n for n in named if n in found]
            targets = scope if scope is not None else numbers
            if not targets:
                continue
            facts = _read_sentence(sentence, today, near)
            for number in targets:
                found[number].add(facts, sentence)
    first = _first_statement(text)
    return {n: found[n].facts(first) for n in numbers}


# -- one sentence --------------------------------------------------------------------------


@dataclass
class _SentenceFacts:
    status: Status | None = None
    tracking: tuple[str, str] | None = None  # number, carrier
    ship_date: date | None = None
    eta: date | None = None
    amount: tuple[Decimal, str, str] | None = None  # amount, currency, kind
    shop_ref: str | None = None


def _read_sentence(sentence: str, today: date, near: Around) -> _SentenceFacts:
    out = _SentenceFacts()
    if _QUESTION_END.search(sentence):
        return out
    hypothetical = bool(_HYPOTHETICAL.search(sentence))
    statuses = [] if hypothetical else _statuses(sentence)
    tracked = find_tracking(sentence, near=near)
    if tracked and not hypothetical:
        number = tracked[0]
        out.tracking = (number.number, number.carrier)
        # A tracking number given is a shipment, unless it is "not" or "will" be shipped.
        if not _blocked(sentence, number.start):
            statuses.append((Status.SHIPPED, number.start))
    if statuses:
        out.status = max(statuses, key=lambda s: _RANK[s[0]])[0]
    eta_at = _ETA.search(sentence)
    shipped = any(s is Status.SHIPPED for s, _ in statuses)
    dates = list(_dates(sentence, today)) if eta_at or shipped else []
    if eta_at and not hypothetical:
        after = [d for d in dates if d[0] >= eta_at.start() and d[2] is not None]
        if after and after[0][2] >= today:
            out.eta = after[0][2]
    shipped_at = next((pos for s, pos in statuses if s is Status.SHIPPED), None)
    if shipped_at is not None:  # the date nearest the shipment word, not the ETA's
        candidates = [d for d in dates if d[1] is not None and d[1] <= today]
        candidates = [d for d in candidates if not (eta_at and d[0] >= eta_at.start())]
        if candidates:
            out.ship_date = min(candidates, key=lambda d: abs(d[0] - shipped_at))[1]
    out.amount = None if hypothetical else _amount(sentence)
    if out.amount and out.amount[2] == "quote" and out.status is None:
        out.status = Status.WAITING_QUOTE  # a price for the repair is a quote sent
    for ref in _SHOP_REF.finditer(sentence):
        value = ref.group("ref").rstrip("-/")
        if re.search(r"\d", value) and value.lstrip("Gg") not in find_ro_numbers(sentence):
            out.shop_ref = value
            break
    return out


def _statuses(sentence: str) -> list[tuple[Status, int]]:
    out = []
    for status, pattern in _STATUS:
        for match in pattern.finditer(sentence):
            if not _blocked(sentence, match.start()):
                out.append((status, match.start()))
                break
    return out


def _blocked(sentence: str, at: int) -> bool:
    return bool(_BLOCKED_BEFORE.search(sentence[max(0, at - 80) : at]))  # the last few words


def _dates(sentence: str, today: date):
    """(position, as a past date, as a future date) for each date phrase in the sentence."""
    for m in _DATES.finditer(sentence):
        try:
            if m.group("iso"):
                d = date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
                yield m.start(), d, d
            elif m.group("num"):
                a, b = int(m.group("n1")), int(m.group("n2"))
                month, day = (a, b) if a <= 12 else (b, a)
                yield m.start(), *_month_day(month, day, m.group("ny"), today)
            elif m.group("md"):
                month = _MONTHS[m.group("mon1").lower()]
                yield m.start(), *_month_day(month, int(m.group("d1")), m.group("y1"), today)
            elif m.group("dm"):
                month = _MONTHS[m.group("mon2").lower()]
                yield m.start(), *_month_day(month, int(m.group("d2")), m.group("y2"), today)
            elif m.group("rel"):
                shift = _RELATIVE[re.sub(r"\s+", " ", m.group("rel").lower())]
                d = today + timedelta(days=shift)
                yield m.start(), d, d
            elif m.group("wd"):
                weekday = _WEEKDAYS[m.group("wdn").lower()]
                prefix = (m.group("wdp") or "").strip().lower()
                # "last Friday": the latest before today; "next Friday": the first after today;
                # "Friday", "on Friday": today or the nearest in the direction asked.
                back = (today.weekday() - weekday) % 7 or (7 if prefix == "last" else 0)
                ahead = (weekday - today.weekday()) % 7 or (7 if prefix == "next" else 0)
                yield m.start(), today - timedelta(days=back), today + timedelta(days=ahead)
            elif m.group("in"):
                count = m.group("inn").lower()
                n = int(count) if count.isdigit() else _SMALL[count]
                d = _add_business_days(today, n) if m.group("inb") else today + timedelta(n)
                yield m.start(), None, d
        except (ValueError, KeyError):
            continue


def _month_day(
    month: int, day: int, year: str | None, today: date
) -> tuple[date | None, date | None]:
    if year:
        y = int(year) + (2000 if len(year) == 2 else 0)
        d = date(y, month, day)
        return (d if d <= today else None), (d if d >= today else None)
    this_year = date(today.year, month, day)
    past = this_year
    if this_year > today + timedelta(days=7):
        past = this_year.replace(year=today.year - 1)
    future = this_year
    if this_year < today - timedelta(days=30):
        future = this_year.replace(year=today.year + 1)
    # A shipment months ago or a delivery far ahead is a typo or a plan, not what happened.
    plausible_past = past if today - past <= timedelta(days=MAX_DAYS_BACK) else None
    plausible_future = future if future - today <= timedelta(days=MAX_DAYS_AHEAD) else None
    return plausible_past, plausible_future


def _add_business_days(start: date, n: int) -> date:
    day = start
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _amount(sentence: str) -> tuple[Decimal, str, str] | None:
    kinds = [(m.start(), "invoice") for m in _INVOICE.finditer(sentence)]
    kinds += [(m.start(), "quote") for m in _QUOTE.finditer(sentence)]
    if not kinds:
        return None
    best: tuple[int, Decimal, str, str] | None = None
    for m in _AMOUNT.finditer(sentence):
        number = m.group("a1") or m.group("a2") or m.group("a3")
        currency = _currency(m)
        value = _decimal(number)
        if value is None or currency is None or value <= 0:
            continue
        where, kind = min(kinds, key=lambda k: abs(k[0] - m.start()))
        distance = abs(where - m.start())
        if best is None or distance < best[0]:
            best = (distance, value, currency, kind)
    return best[1:] if best else None


def _currency(m: re.Match[str]) -> str | None:
    code = m.group("c1") or m.group("c2") or m.group("c3")
    if code:
        return code.upper()
    symbol = m.group("s2") or m.group("s3")
    if symbol:
        return _SYMBOLS.get(symbol.lower())
    word = m.group("w3")
    return _WORDS.get(word.lower()) if word else None


def _decimal(number: str) -> Decimal | None:
    s = re.sub(r"['\u202f\u00a0 ]", "", number)
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        s = s.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", s) else s.replace(",", ".")
    elif "." in s and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
        s = s.replace(".", "")
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    if not value.is_finite() or value > Decimal("100000000"):
        return None
    return value.quantize(Decimal("0.01"))


# -- what one RO collects ------------------------------------------------------------------


@dataclass
class _Found:
    status: tuple[Status, str] | None = None
    tracking: tuple[str, str, str] | None = None
    ship_date: tuple[date, str] | None = None
    eta: tuple[date, str] | None = None
    amount: tuple[Decimal, str, str, str] | None = None
    shop_ref: tuple[str, str] | None = None

    def add(self, facts: _SentenceFacts, sentence: str) -> None:
        if facts.status and (self.status is None or _RANK[facts.status] > _RANK[self.status[0]]):
            self.status = (facts.status, sentence)
        if facts.tracking and self.tracking is None:
            self.tracking = (*facts.tracking, sentence)
        if facts.ship_date and self.ship_date is None:
            self.ship_date = (facts.ship_date, sentence)
        if facts.eta and self.eta is None:
            self.eta = (facts.eta, sentence)
        # An invoice outranks a quote (the later word on the cost); else the first one stands.
        better = self.amount is None or (
            facts.amount is not None and facts.amount[2] == "invoice" != self.amount[2]
        )
        if facts.amount and better:
            self.amount = (*facts.amount, sentence)
        if facts.shop_ref and self.shop_ref is None:
            self.shop_ref = (facts.shop_ref, sentence)

    def facts(self, first_statement: str) -> ReplyFacts:
        out = ReplyFacts()
        if self.status:
            out.status = _evidence(self.status[0].value, self.status[1])
        if self.tracking:
            out.tracking_number = _evidence(self.tracking[0], self.tracking[2])
            out.carrier = _evidence(self.tracking[1], self.tracking[2])
        if self.ship_date:
            out.ship_date = _evidence(self.ship_date[0].isoformat(), self.ship_date[1])
        if self.eta:
            out.eta = _evidence(self.eta[0].isoformat(), self.eta[1])
        if self.amount:
            value, currency, kind, sentence = self.amount
            out.amount = _evidence(str(value), sentence)
            out.currency = _evidence(currency, sentence)
            out.amount_kind = _evidence(kind, sentence)
        if self.shop_ref:
            out.shop_reference = _evidence(self.shop_ref[0], self.shop_ref[1])
        out.summary = summarize(out) or first_statement
        return out


def _evidence(value: str, sentence: str) -> Evidence:
    return Evidence(value=value[:200], sentence=sentence.strip()[:500])


_STATUS_WORDS = {
    Status.WAITING_QUOTE: "quote sent",
    Status.APPROVED: "approval received",
    Status.IN_WORK: "in work",
    Status.ON_HOLD: "on hold",
    Status.SHIPPED: "shipped",
    Status.BER: "beyond economical repair (BER)",
    Status.RAI: "returned as is (RAI)",
    Status.SCRAP: "scrapped",
}


def summarize(facts: ReplyFacts) -> str:
    """One sentence of what the shop said, from the facts read."""
    parts: list[str] = []
    if facts.status:
        head = _STATUS_WORDS.get(Status(facts.status.value), facts.status.value.lower())
        if facts.ship_date:
            head += f" {facts.ship_date.value}"
        parts.append(head)
    elif facts.ship_date:
        parts.append(f"ship date {facts.ship_date.value}")
    if facts.tracking_number:
        carrier = facts.carrier.value if facts.carrier else ""
        parts.append(f"{carrier} {facts.tracking_number.value}".strip())
    if facts.amount and facts.currency:
        kind = facts.amount_kind.value if facts.amount_kind else "amount"
        parts.append(f"{kind} {facts.currency.value} {Decimal(facts.amount.value):,.2f}")
    if facts.eta:
        parts.append(f"ETA {facts.eta.value}")
    if facts.shop_reference:
        parts.append(f"shop ref {facts.shop_reference.value}")
    if not parts:
        return ""
    text = ", ".join(parts)
    return (text[0].upper() + text[1:])[:500]


# -- text into sentences -------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", (text or "").replace("\r", "")) if p.strip()]


def _sentences(paragraph: str) -> list[str]:
    """Lines are sentences (a signature-like "Tracking: 1Z..." line stands alone), except a
    line hard-wrapped mid-sentence, joined back; then each is split at sentence ends (not after
    an abbreviation such as "approx." or "Dec.")."""
    lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
    joined: list[str] = []
    for line in lines:
        if joined and len(joined[-1]) >= 60 and not re.search(r"[.!?:;]$", joined[-1]):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    out: list[str] = []
    for line in joined:
        pieces: list[str] = []
        for piece in _SENTENCE_END.split(line):
            if pieces and _ABBREVIATION.search(pieces[-1]):
                pieces[-1] = f"{pieces[-1]} {piece}"
            elif piece.strip():
                pieces.append(piece.strip())
        out += pieces
    return out


def _first_statement(text: str) -> str:
    for paragraph in _paragraphs(text):
        for sentence in _sentences(paragraph):
            if not _GREETING.match(sentence) and len(sentence) > 3:
                return sentence[:200]
    return ""
