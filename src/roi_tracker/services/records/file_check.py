"""Upload checks: a file is accepted only when the whole of it parses as the type its first bytes declare.

A file that merely starts with `%PDF` (or a PNG/JPEG signature) and is broken or encrypted further on would
be stored and then break every packet it is put in (security review, issue 15 item 5).
"""

from __future__ import annotations

import io
import warnings

import pypdf
from PIL import Image

from roi_tracker.domain import clients as rules
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import UnsupportedType

# A scanned page at 600 dpi is about 35 million pixels; anything larger is refused before it is decoded.
MAX_PIXELS = 64_000_000
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


def check(content: bytes) -> tuple[str, str]:
    """Return (media type, extension) of a PDF, PNG or JPEG that parses in full, else refuse it."""
    sniffed = rules.sniff(content[:16])
    if sniffed is None:
        raise UnsupportedType("only PDF, PNG and JPEG files are accepted (checked by their content)")
    if sniffed[0] == "application/pdf":
        _check_pdf(content)
    else:
        _check_image(content, _FORMATS[sniffed[0]])
    return sniffed


def _check_pdf(content: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(io.BytesIO(content), strict=True)
            encrypted = reader.is_encrypted
            if not encrypted:
                pages = list(reader.pages)
                for page in pages:
                    page.get_contents()
    # pypdf raises many kinds of exception on malformed input (PdfReadError, ValueError, KeyError, ...);
    # any of them means the file cannot go into a packet.
    except Exception:
        raise InvalidInput("the PDF cannot be read: it is damaged or incomplete", field="file") from None
    if encrypted:
        raise UnsupportedType("the PDF is encrypted (password-protected); upload an unprotected copy")
    if not pages:
        raise InvalidInput("the PDF has no pages", field="file")


def _check_image(content: bytes, expected: str) -> None:
    name = "PNG" if expected == "PNG" else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(content), formats=[expected]) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput(f"the {name} image is too large to check", field="file")
                probe.verify()
            # verify() checks the structure (for PNG, every chunk's CRC) but decodes nothing; load() does.
            with Image.open(io.BytesIO(content), formats=[expected]) as image:
                image.load()
    except InvalidInput:
        raise
    # Pillow raises OSError, SyntaxError, ValueError and others on malformed images.
    except Exception:
        raise InvalidInput(
            f"the {name} image cannot be read: it is damaged or incomplete",
            field="file",
        ) from None
