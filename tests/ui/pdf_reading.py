"""Reading back a PDF the app wrote, with pypdf: pages, their size, their text, their fonts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


def page_size(path: Path, page: int = 0) -> tuple[float, float]:
    """Width and height of a page in points (1/72 inch)."""
    box = PdfReader(path).pages[page].mediabox
    return float(box.width), float(box.height)


def words(text: str) -> str:
    """Text with every run of spaces, tabs and line breaks made one space: a sentence wrapped
    over lines in the PDF then reads as it was written."""
    return " ".join(text.split())


def text_of(path: Path) -> str:
    return words(" ".join(page.extract_text() for page in PdfReader(path).pages))


def fonts_not_embedded(path: Path) -> list[str]:
    """The fonts the PDF uses without carrying them (a reader would substitute them)."""
    missing: list[str] = []
    for page in PdfReader(path).pages:
        fonts: Any = page["/Resources"].get_object().get("/Font", {})
        for font in (reference.get_object() for reference in fonts.values()):
            if font.get("/Subtype") == "/Type3":
                continue  # drawn by the PDF's own glyph procedures
            described = font
            if "/DescendantFonts" in font:
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(key in descriptor for key in FONT_FILES):
                missing.append(str(font.get("/BaseFont")))
    return missing
