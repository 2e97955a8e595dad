"""Checking an uploaded image by its content and re-encoding it without its metadata.

What a phone sends carries EXIF (GPS position, time, device serial), XMP, ICC profiles and comments. None of
it is kept: the pixels are decoded, turned upright by their EXIF orientation, and encoded afresh from an image
whose metadata has been emptied, so nothing of the original file but its pixels reaches storage.

- JPEG stays JPEG (quality 85); PNG stays PNG (lossless; a palette or colour key becomes RGBA so transparency
  survives without the chunk); WebP becomes JPEG (quality 85, transparency flattened onto white): photos of a
  request are photographs, and JPEG shows in every WeChat version's ``<image>`` without the ``webp`` flag.
- A colour profile is applied (the pixels converted to sRGB) rather than kept, when Pillow has LittleCMS.
- An animated PNG or WebP keeps its first frame.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..core.errors import AppError

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # API.md: one image of at most 5 MB
# A 48-megapixel phone camera bins to 12 MP; 40 MP leaves room for panoramas and refuses decompression bombs
# (a 20000x20000 PNG of a few kilobytes would need 400 million pixels of memory) before any pixel is decoded.
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85
ACCEPTED = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _refused() -> AppError:
    return AppError("unsupported_image")


def _to_srgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return im
    try:
        out_mode = "RGBA" if im.mode in ("RGBA", "LA") else "RGB"
        return ImageCms.profileToProfile(im, io.BytesIO(icc), ImageCms.createProfile("sRGB"), outputMode=out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return im  # a broken profile: the pixels as they are, the profile dropped below all the same


def reencode(raw: bytes) -> Encoded:
    """The image in ``raw`` re-encoded without metadata; AppError unsupported_image (not an accepted format
    by its content, truncated, corrupt) or image_too_large (more than MAX_PIXELS)."""
    try:
        im = Image.open(io.BytesIO(raw), formats=ACCEPTED)
    except Image.DecompressionBombError:
        raise AppError("image_too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refused() from None
    source_format = im.format
    width, height = im.size
    if width * height > MAX_PIXELS:  # from the header alone, before decoding
        raise AppError("image_too_large", f"图片像素过多（{width}×{height}），最多 {MAX_PIXELS // 1_000_000} 百万像素")
    try:
        im.seek(0)
        im.load()  # decodes every pixel: a truncated or corrupt file fails here
        im = ImageOps.exif_transpose(im)  # first: the profile's conversion below keeps no EXIF to read
        if source_format == "PNG" and ("transparency" in im.info or im.mode == "P"):
            # A palette or a colour key, as RGB(A): the tRNS chunk is metadata that is not carried over.
            im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        im = _to_srgb(im)
    except Image.DecompressionBombError:
        raise AppError("image_too_large") from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombWarning, ZeroDivisionError):
        raise _refused() from None

    if source_format == "PNG":
        if im.mode not in ("1", "L", "LA", "I", "I;16", "RGB", "RGBA"):
            im = im.convert("RGBA")
        fmt, content_type, extension, params = "PNG", "image/png", "png", {"optimize": False}
    else:
        if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
            rgba = im.convert("RGBA")
            im = Image.new("RGB", rgba.size, (255, 255, 255))
            im.paste(rgba, mask=rgba.getchannel("A"))
        elif im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        fmt, content_type, extension, params = "JPEG", "image/jpeg", "jpg", {"quality": JPEG_QUALITY}

    # Nothing of the original's metadata may reach the encoder: Pillow's encoders take the ICC profile, the
    # EXIF block and the JPEG comment from ``info`` when no argument says otherwise.
    im.info = {}
    if hasattr(im, "_exif"):
        im._exif = None
    out = io.BytesIO()
    try:
        im.save(out, fmt, **params)
    except (OSError, ValueError):
        raise _refused() from None
    return Encoded(out.getvalue(), content_type, extension, im.width, im.height)
