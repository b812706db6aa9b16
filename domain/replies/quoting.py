"""The new part of a reply: what the sender wrote in this message, nothing they quoted or signed.

A shop's answer usually sits on top of our own follow-up ("has RO G38462 shipped?") and older
mail (last month's tracking number). Read as a whole, those would be taken for the shop's news,
so everything from the first quote marker down is cut:

    "> " lines                       (anywhere: interleaved answers keep their own lines)
    "On <date>, <name> wrote:"       and El … escribió: / Le … a écrit : / Am … schrieb … : /
                                     Em … escreveu: / Il … ha scritto: / Op … schreef … :
    "-----Original Message-----"     and its Spanish, French, German, Portuguese spellings
    "From: … Sent: … To: … Subject:" Outlook's header block (and De:/Von:/Van:/Da: …)
    "________________________________"  Outlook's separator line

then the signature ("-- " line, "Sent from my iPhone", a sign-off line such as "Best regards,"
followed by a short name / title / phone / address block) and legal disclaimer paragraphs.

Forwarded mail ("---------- Forwarded message ---------", "Begin forwarded message:"): when the
sender wrote something of their own above the forward (more than FORWARD_NOTE_WORDS words, or
anything fact-like: a tracking number, an amount, "shipped"), that is their statement and the
forwarded mail is context, cut like a quote (it may well be our own follow-up). When they wrote
only a note ("FYI", "see below from our shipping dept"), the forwarded message is what they are
telling us (typically a colleague's statement at the shop): its first message is kept, below the
note, and what IT quotes is cut the same way. A fact is never taken from deeper in the chain.

A sign-off block is cut only when nothing after it looks like a fact (a tracking number, an
amount, "shipped", "P.S."), so a fact written under "Thanks," is not lost.
"""

from __future__ import annotations

import re

FORWARD_NOTE_WORDS = 15
QUOTE_SEPARATOR = "_" * 32  # Outlook's line; parse_eml puts one before an HTML <blockquote>

_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"On\b.{0,200}\bwrote\s*:"
    r"|El\b.{0,200}\bescribi[óo]\s*:"
    r"|Le\b.{0,200}\ba\s+[ée]crit\s*:"
    r"|Am\b.{0,200}\bschrieb\b.{0,120}:"
    r"|Em\b.{0,200}\bescreveu\s*:"
    r"|Il\b.{0,200}\bha\s+scritto\s*:"
    r"|Op\b.{0,200}\bschreef\b.{0,120}:"
    r"|.{0,120}\bwrote\s*:\s*$"
    r")\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^\s*(?:On|El|Le|Am|Em|Il|Op)\s+\S", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(?:Original\s+Message|Mensaje\s+original|Message\s+d'origine"
    r"|Ursprüngliche\s+Nachricht|Mensagem\s+original|Messaggio\s+originale)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*_{10,}\s*$")
_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded\s+message|Mensaje\s+reenviado|Message\s+transf[ée]r[ée]"
    r"|Weitergeleitete\s+Nachricht|Mensagem\s+encaminhada|Messaggio\s+inoltrato)\s*-{2,}"
    r"|Begin\s+forwarded\s+message\s*:|Inicio\s+del\s+mensaje\s+reenviado\s*:"
    r"|D[ée]but\s+du\s+message\s+r[ée]exp[ée]di[ée]\s*:|Anfang\s+der\s+weitergeleiteten"
    r"\s+Nachricht\s*:|In[íi]cio\s+da\s+mensagem\s+reencaminhada\s*:)\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\**(?:From|De|Von|Van|Da)\s*:\**\s*\S", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\**(?:Sent|Date|Enviado|Fecha|Envoy[ée]|Gesendet|Datum|Data|Subject|Asunto|Objet"
    r"|Betreff|Assunto|Oggetto|To|Para|[ÀA]|An|Cc)\s*:",
    re.IGNORECASE,
)
_QUOTED_LINE = re.compile(r"^\s*>")
_SIG_DASHES = re.compile(r"^(?:--|__)\s*$")
_SENT_FROM = re.compile(
    r"^\s*(?:Sent\s+from\s+my\b|Sent\s+from\s+(?:Outlook|Mail|Yahoo|Gmail)|Get\s+Outlook\s+for"
    r"|Enviado\s+desde\s+mi\b|Envoy[ée]\s+de\s+mon\b|Von\s+meinem\b.{0,40}\bgesendet"
    r"|Enviado\s+do\s+meu\b|Inviato\s+da(?:l)?\s+mio\b)",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:(?:best|kind|warm|many|warmest)?\s*(?:regards|wishes)|thanks?(?:\s+(?:you|again))?"
    r"|thank\s+you(?:\s+very\s+much)?|many\s+thanks|thx|cheers|best|sincerely|respectfully"
    r"|(?:yours\s+)?(?:truly|faithfully)|br|rgds|v/r|saludos(?:\s+cordiales)?|un\s+saludo"
    r"|atentamente|atte\.?|gracias|cordialement|bien\s+(?:à\s+vous|cordialement)|merci"
    r"|mit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en|(?:viele|beste|freundliche)\s+gr(?:ü|ue)(?:ß|ss)e"
    r"|mfg|danke|atenciosamente|obrigad[oa]|abra[çc]os|cumprimentos)"
    # then at most a capitalised name on the same line ("Thanks, Maria"), not a sentence
    r"[\s,.!-]*(?-i:[A-Z][\w.'\-]*(?:\s+[A-Z][\w.'\-]*){0,2})?\s*[,.!]?\s*$",
    re.IGNORECASE,
)
# What makes a line after a sign-off worth keeping: it says something, not who wrote it.
_FACT_LIKE = re.compile(
    r"\b(?:shipped|ship|tracking|invoice|quote|ETA|deliver(?:y|ed)?|P\.?S\.?|RO|BER|RAI)\b"
    r"|\b1Z[0-9A-Z]{6}|[$€£]\s?\d|\d[\d,.]*\s?(?:USD|EUR|GBP)\b",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"\b(?:confidential(?:ity)?\s+(?:notice|information|and\s+privileged)|privileged\s+and"
    r"\s+confidential|this\s+(?:e-?mail|message|communication)(?:\s+and\s+any\s+attachments?)?"
    r"\s+(?:is|are|may\s+contain|contains)\s+(?:confidential|intended|privileged)"
    r"|intended\s+(?:solely\s+|only\s+)?for\s+the\s+(?:use\s+of\s+the\s+)?"
    r"(?:addressee|individual|recipient|person)|if\s+you\s+are\s+not\s+the\s+intended"
    r"|if\s+you\s+have\s+received\s+this\s+(?:e-?mail|message|communication)\s+in\s+error"
    r"|export\s+(?:controlled|administration\s+regulations)|\bITAR\b|scanned\s+for\s+viruses"
    r"|please\s+consider\s+the\s+environment\s+before\s+printing)",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


def new_part(text: str) -> str:
    """What the sender wrote in this message: quotes, signature and disclaimers removed."""
    lines = _lines(text)
    head, forwarded = _cut(lines)
    own = _clean(head)
    note_only = len(_WORD.findall(own)) <= FORWARD_NOTE_WORDS and not _FACT_LIKE.search(own)
    if forwarded is not None and note_only:
        inner_head, _ = _cut(_skip_headers(forwarded))
        inner = _clean(inner_head)
        own = f"{own}\n\n{inner}".strip() if own else inner
    return own


def _lines(text: str) -> list[str]:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    return text.split("\n")


def _cut(lines: list[str]) -> tuple[list[str], list[str] | None]:
    """The lines above the first quote marker, and the forwarded lines when a forward came
    first (None otherwise)."""
    for i, line in enumerate(lines):
        if _FORWARD.match(line):
            return lines[:i], lines[i + 1 :]
        if _ORIGINAL.match(line) or _SEPARATOR.match(line) or _starts_header_block(lines, i):
            return lines[:i], None
        if _ATTRIBUTION.match(line):
            return lines[:i], None
        # An attribution wrapped over two lines: "On Tue, Dec 1, 2026 at 9:12 AM RO Desk <\n
        # desk@example.com> wrote:"
        wrapped = i + 1 < len(lines) and _ATTRIBUTION_START.match(line)
        if wrapped and _ATTRIBUTION.match(f"{line} {lines[i + 1]}"):
            return lines[:i], None
    return lines, None


def _starts_header_block(lines: list[str], i: int) -> bool:
    """`From: …` followed within a few lines by at least two other header lines."""
    if not _HEADER_FROM.match(lines[i]):
        return False
    following = [line for line in lines[i + 1 : i + 7] if line.strip()]
    return sum(1 for line in following[:5] if _HEADER_OTHER.match(line)) >= 2


def _skip_headers(lines: list[str]) -> list[str]:
    """A forwarded message without its From/Date/Subject/To lines."""
    i = 0
    skip = (_HEADER_FROM, _HEADER_OTHER, _SEPARATOR)
    while i < len(lines) and (not lines[i].strip() or any(p.match(lines[i]) for p in skip)):
        i += 1
    return lines[i:]


def _clean(lines: list[str]) -> str:
    kept = [line for line in lines if not _QUOTED_LINE.match(line)]
    kept = _strip_signature(kept)
    paragraphs = "\n".join(line.rstrip() for line in kept).strip()
    parts = [p for p in re.split(r"\n\s*\n", paragraphs) if p.strip()]
    parts = [p.strip("\n") for p in parts if not _DISCLAIMER.search(p)]
    return "\n\n".join(parts).strip()


def _strip_signature(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if _SIG_DASHES.match(line) or _SENT_FROM.match(line):
            return lines[:i]
        if i > 0 and _SIGN_OFF.match(line) and _signature_block(lines[i + 1 :]):
            return lines[:i]
    return lines


def _signature_block(rest: list[str]) -> bool:
    """A name / title / company / phone / address block: short lines, nothing fact-like."""
    body = [line for line in rest if line.strip()]
    if len(body) > 12:
        return False
    return all(_signature_line(line) for line in body)


def _signature_line(line: str) -> bool:
    """A name, title, company, phone or address; not a sentence ("The unit is on the bench.")."""
    words = len(line.split())
    sentence = line.rstrip().endswith((".", "!", "?")) and words > 3
    return words <= 12 and not sentence and not _FACT_LIKE.search(line)
