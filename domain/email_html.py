"""Email bodies are HTML that a model or a person may have written: keep only harmless markup.

An allowlist of tags and attributes (nh3, the Rust `ammonia` sanitizer): no script or style
(their content goes too), no `on*` handlers, links only to http(s) and mailto. Also a plain-text
rendering for the text/plain part of the message and for previews in the chat.
"""

from __future__ import annotations

import html
import re

import nh3

from domain.errors import InvalidText
from domain.values import strip_bidi_controls

MAX_BODY_CHARS = 50_000
ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "div", "em", "h3", "h4", "hr", "i", "li", "ol", "p", "span",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "table": {"border", "cellpadding", "cellspacing"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(raw: str | None) -> str:
    """The body with only allowlisted markup; plain text (no tags) becomes paragraphs."""
    # Text-direction controls could make the shop read a sentence backwards: removed, like the
    # markup the allowlist drops (a body is reshaped anyway; a subject or note is refused).
    text = str(strip_bidi_controls(raw or "")).strip()
    if not text:
        raise InvalidText("The email body is empty.")
    if len(text) > MAX_BODY_CHARS:
        raise InvalidText(f"The email body is {len(text):,} characters; the limit is 50,000.")
    if not re.search(r"<[a-zA-Z/!]", text):
        text = plain_to_html(text)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )


def html_to_text(body: str) -> str:
    """A readable plain-text version: paragraphs, line breaks, table rows as `a | b | c`."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", body)
    text = re.sub(r"(?i)</(p|div|h3|h4|blockquote|ul|ol|table)>", "\n\n", text)
    text = re.sub(r"(?i)</(li|tr)>", "\n", text)
    text = re.sub(r"(?i)<li[^>]*>", "- ", text)
    text = re.sub(r"(?i)</t[dh]>\s*<t[dh][^>]*>", " | ", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
