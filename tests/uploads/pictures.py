"""Images made for the tests, as a phone or a hostile client would send them."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image, ImageCms

RED, BLUE = (255, 0, 0), (0, 0, 255)
GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (31.0, 14.0, 12.5),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (121.0, 28.0, 3.25)}


def two_tone(width: int = 40, height: int = 20, mode: str = "RGB") -> Image.Image:
    """Blue on the left quarter, red elsewhere: which way is up can be read back after rotation."""
    im = Image.new("RGB", (width, height), RED)
    im.paste(BLUE, (0, 0, width // 4, height))
    return im.convert(mode) if mode != "RGB" else im


def phone_jpeg(orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with GPS position, camera and orientation, XMP, an ICC profile, a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.BodySerialNumber] = "SN-123456"
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>31,14.2N</exif:GPSLatitude></x:xmpmeta>'
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    two_tone().save(out, "JPEG", exif=exif, comment=b"taken at home", quality=95, xmp=xmp, icc_profile=icc)
    return out.getvalue()


def png(mode: str = "RGBA", **params) -> bytes:
    im = two_tone(mode=mode)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = GPS
    im.save(out, "PNG", exif=exif, **params)
    return out.getvalue()


def webp(mode: str = "RGB") -> bytes:
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    two_tone(mode=mode).save(out, "WEBP", exif=exif, quality=90)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 20000) -> bytes:
    """A valid 1-bit PNG of side x side black pixels: a few tens of kilobytes that decode to `side`² pixels."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_with_garbage() -> bytes:
    """A real PNG signature and header, then noise where the pixels should be."""
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    noise = bytes((i * 7919) % 251 for i in range(4000))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", noise) + _chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = phone_jpeg()
    return data[: len(data) * 2 // 3]
