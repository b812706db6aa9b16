"""Reading release certificates: time per text-layer PDF page and per scanned page.

The certificates are built here (fpdf2 + Pillow, as the tests build them). Ours is the whole
read (`integrations.documents.extraction.extract`: text or OCR, then the typed fields); the
baseline, in the same process on the same bytes, is the bare library call it cannot do without
(pypdf's `extract_text` for a text page; Tesseract's `image_to_string` for a scan), so the ratio
is what the field reading costs on top. Goals (issue #15): <= 200 ms per text page and <= 3 s
per scanned page on the 2-core machine.

    python -m bench.documents [--repeat 7] [--scan-repeat 3]
"""

from __future__ import annotations

import argparse
import io

from bench.common import emit, summary, timed
from domain.documents.files import PDF
from integrations.documents.extraction import extract, ocr_available
from tests.documents_samples import certificate_lines, page_image, scanned_pdf, text_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scan-repeat", type=int, default=3)
    args = parser.parse_args()
    lines = certificate_lines()

    from pypdf import PdfReader

    text = text_pdf(lines)
    assert extract(text, PDF).fields.value("serial_number") == "R28503"
    ours_text = summary(timed(lambda: extract(text, PDF), args.repeat))
    bare_text = summary(
        timed(lambda: PdfReader(io.BytesIO(text)).pages[0].extract_text(), args.repeat)
    )
    print(f"text page, full read:        median {ours_text['median_ms']:.1f} ms")
    print(f"text page, pypdf only:       median {bare_text['median_ms']:.1f} ms")
    result = {
        "benchmark": "documents",
        "text_page": ours_text,
        "text_page_pypdf_only": bare_text,
        "text_overhead_ratio": round(ours_text["median_ms"] / bare_text["median_ms"], 2),
        "text_goal_ms": 200,
    }
    if ocr_available():
        import pytesseract

        scan = scanned_pdf(lines)
        image = page_image(lines)
        assert extract(scan, PDF).fields.value("serial_number") == "R28503"
        ours_scan = summary(timed(lambda: extract(scan, PDF), args.scan_repeat))
        bare_scan = summary(timed(lambda: pytesseract.image_to_string(image), args.scan_repeat))
        print(f"scanned page, full read:     median {ours_scan['median_ms']:.0f} ms")
        print(f"scanned page, Tesseract only: median {bare_scan['median_ms']:.0f} ms")
        result |= {
            "scanned_page": ours_scan,
            "scanned_page_tesseract_only": bare_scan,
            "scan_overhead_ratio": round(ours_scan["median_ms"] / bare_scan["median_ms"], 2),
            "scan_goal_ms": 3000,
        }
    else:
        print("Tesseract is not installed: the scanned-page figures are left out.")
    emit(result)


if __name__ == "__main__":
    main()
