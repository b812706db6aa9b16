"""Release certificates built in the tests: an FAA 8130-3 or EASA Form 1 with a text layer, the
same page as a scan (a picture only, for the OCR path), with blocks left out or changed."""

from __future__ import annotations

import io

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

TITLES = {
    "faa": ["FAA FORM 8130-3", "AUTHORIZED RELEASE CERTIFICATE"],
    "easa": ["EASA FORM 1", "AUTHORISED RELEASE CERTIFICATE"],
    "dual": ["FAA FORM 8130-3 / EASA FORM 1", "AUTHORIZED RELEASE CERTIFICATE (DUAL RELEASE)"],
}


def certificate_lines(
    form: str = "faa",
    *,
    part: str = "3214-552-01",
    serial: str = "R28503",
    omit: frozenset[str] = frozenset(),
    remarks: str = "Overhauled per CMM 73-21-05 Rev 12.",
) -> list[str]:
    org_label = (
        "Organisation Name and Address" if form == "easa" else "Organization Name and Address"
    )
    blocks = [
        ("1", "1. Approving Authority/Country: FAA / United States"),
        ("3", "3. Form Tracking Number: 2026-0412"),
        ("4", f"4. Approved {org_label}: Acme Aero Repair, Miami FL"),
        ("5", "5. Work Order/Contract/Invoice: WO-7781"),
        ("7", "7. Description: Fuel control unit"),
        ("8", f"8. Part No.: {part}"),
        ("9", "9. Quantity: 1"),
        ("10", f"10. Serial No.: {serial}"),
        ("11", "11. Status/Work: Overhauled"),
        ("12", f"12. Remarks: {remarks}"),
        ("14a", "14a. Authorized Signature: /s/ J. Smith"),
        ("14c", "14c. Approval/Authorization No.: ACMR123K"),
        ("14d", "14d. Name: J. Smith"),
        ("14e", "14e. Date: 2026-11-20"),
    ]
    return TITLES[form] + [line for key, line in blocks if key not in omit]


def text_pdf(lines: list[str]) -> bytes:
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def page_image(lines: list[str]) -> Image.Image:
    """The page as a scanner would give it: black text on white, ~200 dpi, no text layer."""
    image = Image.new("L", (1700, 120 + 60 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=34)
    for i, line in enumerate(lines):
        draw.text((80, 60 + 60 * i), line, fill=0, font=font)
    return image


def png(lines: list[str]) -> bytes:
    out = io.BytesIO()
    page_image(lines).save(out, format="PNG")
    return out.getvalue()


def scanned_pdf(lines: list[str]) -> bytes:
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.image(page_image(lines), x=5, y=5, w=205)
    return bytes(pdf.output())


def encrypted_pdf(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def large_pdf(lines: list[str], at_least: int, seed: int = 15) -> bytes:
    """A real PDF of at least `at_least` bytes: a text page, then a page holding a picture of
    noise (which no compression shrinks), for uploads that go to Graph in chunks."""
    import random

    side = int((at_least / 3) ** 0.5) + 64
    noise = random.Random(seed).randbytes(side * side * 3)
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.image(Image.frombytes("RGB", (side, side), noise), x=5, y=5, w=205)
    out = bytes(pdf.output())
    assert len(out) >= at_least
    return out
