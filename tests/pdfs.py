"""Reading generated PDFs in tests: their text, and a PNG for a person to look at."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), "not a PDF"
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def pdf_to_png(data: bytes, name: str, last_page: int = 2) -> Path | None:
    """Render the first pages to test-artifacts/<name>-N.png with pdftoppm, when it is installed."""
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        [
            pdftoppm,
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            str(last_page),
            str(pdf),
            str(ARTIFACTS / name),
        ],
        check=True,
    )
    return ARTIFACTS / f"{name}-1.png"
