"""Shared by the document tests: the text of a PDF as pdftotext reads it, and a
PNG of it (pdftoppm -r 60) in /work/wt/shots/documents for a person to look at."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SHOTS = Path(os.environ.get("DOCUMENT_SHOTS", "/work/wt/shots/documents"))


def text_of(data: bytes) -> str:
    """pdftotext -raw (content-stream order, which the tagged PDF keeps as reading
    order, so a wrapped table cell stays whole) with runs of whitespace made one space."""
    assert data.startswith(b"%PDF"), "not a PDF"
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        done = subprocess.run(
            [pdftotext, "-raw", "-enc", "UTF-8", "-", "-"],
            input=data,
            capture_output=True,
            check=True,
        )
        text = done.stdout.decode()
    else:
        from .pdfs import pdf_text

        text = pdf_text(data)
    return " ".join(text.split())


def flat(value: object) -> str:
    return " ".join(str(value).split())


def png_of(data: bytes, name: str) -> None:
    """Render every page at 60 dpi when pdftoppm is there and the folder can be made."""
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        return
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    pdf = SHOTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf), str(SHOTS / name)], check=True)
