"""Checks on generated PDFs shared by the tests."""

from io import BytesIO

from pypdf import PdfReader


def unembedded_fonts(data: bytes):
    """Names of fonts used in the PDF that don't carry their font file (pdffonts' "emb no")."""
    missing = []
    for page in PdfReader(BytesIO(data)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font["/BaseFont"]))
    return missing
