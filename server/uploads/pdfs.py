"""Checking an uploaded PDF (an invoice) by its content. PDFs are kept as sent: there are no pixels to
re-encode, so what is refused instead is anything that is not plainly a document: no PDF header at the
start, no end-of-file marker and cross-reference at the end, or active content (JavaScript, launch
actions, embedded files) that a viewer might run."""
from __future__ import annotations

import re

from ..core.errors import AppError

MAX_PDF_BYTES = 5 * 1024 * 1024  # as for an image: one scanned invoice fits with room to spare
PDF_TYPE = "application/pdf"
_HEADER = re.compile(rb"%PDF-[12]\.\d")
_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA|OpenAction\s*<<[^>]*/JS)\b")


def looks_like_pdf(raw: bytes) -> bool:
    return raw[:5] == b"%PDF-"


def check_pdf(raw: bytes) -> bytes:
    """The PDF's bytes if it passes; AppError invalid_pdf otherwise."""
    if len(raw) > MAX_PDF_BYTES:
        raise AppError("payload_too_large", f"PDF 不能超过 {MAX_PDF_BYTES // (1024 * 1024)} MB")
    tail = raw[-2048:]
    if not _HEADER.match(raw) or b"%%EOF" not in tail or (b"startxref" not in tail and b"/XRef" not in raw):
        raise AppError("invalid_pdf")
    if _ACTIVE.search(raw):
        raise AppError("invalid_pdf", "PDF 含有脚本、启动动作或嵌入文件，请打印为普通 PDF 后上传")
    return raw
