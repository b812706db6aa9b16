"""The person's short-lived link to a document in the library: the words shown with it never
carry the URL (the message is stored with the thread; the link element is not), and the event's
repr (what a log line would print) does not either."""

from __future__ import annotations

from tools.events import DownloadLink
from web.sink import download_link_text

URL = "https://example.sharepoint.com/download/SECRET-TEMPAUTH-TOKEN"


def test_the_words_say_it_expires_and_hold_no_url():
    text = download_link_text(DownloadLink(URL, "8130-3 [copy].pdf", "a few minutes"))
    assert "expires in a few minutes" in text and "do not forward" in text
    assert "SECRET" not in text and "https://" not in text
    assert "[" not in text  # the name cannot make a markdown link of its own


def test_the_event_never_prints_its_url():
    event = DownloadLink(URL, "8130-3.pdf", "a few minutes")
    assert "SECRET" not in repr(event) and "SECRET" not in str(event)
    assert event.url == URL
