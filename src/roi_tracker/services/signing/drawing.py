"""A drawn signature: the PNG data URL a signing pad sends, checked, measured and flattened onto white."""

from __future__ import annotations

import base64
import binascii
import io
import warnings

from PIL import Image

from roi_tracker.domain.errors import InvalidInput

_PREFIX = "data:image/png;base64,"
MAX_BYTES = 300_000
MAX_SIDE = 2000


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="signature.image")


def decode(data_url: str) -> bytes:
    """Return the PNG bytes of a `data:image/png;base64,...` URL, refusing anything else."""
    if not data_url.startswith(_PREFIX):
        raise _refuse("a drawn signature is a PNG data URL (data:image/png;base64,...)")
    try:
        raw = base64.b64decode(data_url[len(_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("the drawn signature is not valid base64") from None
    if len(raw) > MAX_BYTES:
        raise _refuse(f"the drawn signature is larger than {MAX_BYTES // 1000} kB")
    return raw


def flatten(png: bytes) -> tuple[bytes, int]:
    """Return the drawing as an opaque PNG on white, and how many pixels it inks (0: an empty drawing)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(png))
            if image.format != "PNG":
                raise _refuse("the drawn signature is not a PNG")
            if max(image.size) > MAX_SIDE:
                raise _refuse(f"the drawn signature is larger than {MAX_SIDE} pixels a side")
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _refuse("the drawn signature cannot be read as a PNG") from None
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, rgba).convert("L")
    # A pixel inks when it is clearly darker than the paper; anti-aliasing fringes alone do not count.
    marks = sum(count for level, count in enumerate(flat.histogram()) if level < 160)
    out = io.BytesIO()
    flat.save(out, format="PNG")
    return out.getvalue(), marks
