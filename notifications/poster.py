"""Printable A4 posters for notices and events: PNG (Pillow) and print-ready PDF (reportlab, font embedded).

One layout, computed once in pixels at 150 dpi, is drawn by both renderers, so the PNG and the PDF match.
Chinese needs a real CJK font (INTEGRATIONS.md §4): without one Pillow draws boxes, and reportlab only
embeds TrueType outlines, hence WenQuanYi Micro Hei (.ttc, face 0) rather than Noto CJK (CFF outlines).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

DEBIAN_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
INSTALL_HINT = "请安装中文字体：apt-get install fonts-wqy-microhei（或在配置 FONT_PATH 中指定 .ttf/.ttc 字体）"

# A4 portrait at 150 dpi; PDF points per pixel.
DPI = 150
WIDTH, HEIGHT = 1240, 1754
PT = 72 / DPI

ACCENT = "#C8102E"
ACCENT_TINT = "#F7D9DE"
INK = "#222222"
MUTED = "#7A7A7A"
RULE = "#E4E4E4"
WHITE = "#FFFFFF"

MARGIN = 110
ELLIPSIS = "…"
CLIP_NOTE = "（全文请扫码查看）"
QR_CAPTION = "扫码查看详情"

# Chinese line-breaking rules (W3C clreq, GB/T 15834): these never start a line ...
NO_START = frozenset("，。、；：？！）」』】》〉〕］｝〗”’…‥·・%％‰℃,.;:?!)]}~～-–—")
# ... and these never end one.
NO_END = frozenset("（「『【《〈〔［｛〖“‘([{￥¥$＄£€#＃")
# A Latin word, number, time, URL or e-mail stays whole; runs of dashes or ellipses are one unit.
_TOKEN = re.compile(
    r"[0-9A-Za-z\u00C0-\u024F]+(?:[-'’./:@_%&+=?#~][0-9A-Za-z\u00C0-\u024F]+)*"
    r"|—+|…+|⋯+|[ \t\u3000]+|.",
)


class PosterFontMissing(RuntimeError):
    """No usable Chinese font: rendering would print boxes instead of characters."""


@dataclass
class PosterContent:
    union_name: str
    title: str
    body: str
    date_text: str
    qr_text: str  # what the QR code encodes: the URL that opens the notice or the event sign-up
    place: str | None = None
    time_text: str | None = None
    footer: str | None = None
    kind_label: str | None = None  # a short tag such as 通知 or 活动


# --- fonts --------------------------------------------------------------------------------------------

def find_cjk_font(configured: str | None = None) -> str:
    """The font file to use: the configured one (FONT_PATH), else Debian's WenQuanYi Micro Hei, else
    whatever fontconfig offers for Chinese. Raises PosterFontMissing rather than render boxes."""
    if configured:
        if not os.path.isfile(configured):
            raise PosterFontMissing(f"FONT_PATH 指向的字体文件不存在：{configured}。{INSTALL_HINT}")
        return configured
    if os.path.isfile(DEBIAN_FONT):
        return DEBIAN_FONT
    if shutil.which("fc-match"):
        # fc-match always answers with *some* font, so keep it only if it really covers Chinese.
        out = subprocess.run(["fc-match", "-f", "%{file}|%{lang}", ":lang=zh-cn"],
                             capture_output=True, text=True, timeout=10).stdout
        path, _, langs = out.partition("|")
        if path and "zh-cn" in langs.split("|") and os.path.isfile(path):
            return path
    raise PosterFontMissing(f"找不到中文字体，海报无法生成。{INSTALL_HINT}")


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: Chinese needs no shaping, and it measures like reportlab does.
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=8)
def _check_cjk(path: str) -> None:
    """A font without Chinese glyphs draws its 'missing glyph' box for them: catch that up front."""
    font = _font(path, 40)

    def ink(ch: str) -> bytes:
        im = Image.new("L", (56, 56))
        ImageDraw.Draw(im).text((4, 4), ch, font=font, fill=255)
        return im.tobytes()

    missing = ink("\uffff")  # a noncharacter: no font maps it, so this is the box
    if any(ink(ch) == missing for ch in "中文通知"):
        raise PosterFontMissing(f"字体不含中文字形：{path}。{INSTALL_HINT}")


def _cjk_font_path(font_path: str | None) -> str:
    path = find_cjk_font(font_path)
    _check_cjk(path)
    return path


# --- line breaking (pure: a measure function gives the width of a string) ----------------------------

Measure = Callable[[str], float]


def _atoms(text: str) -> list[str]:
    """Unbreakable pieces: one CJK character, one Latin word or number, or a space (a break chance).
    Closing punctuation is glued to what precedes it and opening punctuation to what follows."""
    atoms: list[str] = []
    glue_next = False
    for tok in _TOKEN.findall(text):
        if tok.isspace():
            atoms.append(" ")
            glue_next = False
            continue
        if atoms and tok[0] in NO_START:
            if atoms[-1] == " " and len(atoms) > 1:
                atoms.pop()  # "Day —": the space stays, but no longer as a place to break
                tok = " " + tok
            if atoms[-1] != " ":
                atoms[-1] += tok
                glue_next = tok[-1] in NO_END
                continue
        if glue_next and atoms:
            atoms[-1] += tok
        else:
            atoms.append(tok)
        glue_next = tok[-1] in NO_END
    return atoms


def _hard_split(atom: str, width: float, measure: Measure) -> list[str]:
    """An atom wider than the line (a long URL): cut it by characters."""
    pieces, cur = [], ""
    for ch in atom:
        if cur and measure(cur + ch) > width:
            pieces.append(cur)
            cur = ""
        cur += ch
    return [p.strip(" ") for p in (pieces + [cur] if cur else pieces)]


def wrap(text: str, width: float, measure: Measure, indent: float = 0.0) -> list[str]:
    """Break one paragraph (no newlines) into lines at most ``width`` wide; the first line is ``indent``
    narrower. Breaks between CJK characters and at spaces, never inside a Latin word or number unless
    it alone is wider than a line, and never before closing or after opening punctuation."""
    lines: list[str] = []
    line, line_w, space = "", 0.0, False
    avail = width - indent
    for atom in _atoms(text):
        if atom == " ":
            space = bool(line)
            continue
        piece = (" " if space else "") + atom
        w = measure(piece)
        if line and line_w + w > avail:
            lines.append(line)
            line, line_w, avail, piece, w = "", 0.0, width, atom, measure(atom)
        if not line and w > avail:
            *full, atom = _hard_split(atom, avail, measure)
            lines += full
            if full:
                avail = width
            piece, w = atom, measure(atom)
        line, line_w, space = line + piece, line_w + w, False
    if line or not lines:
        lines.append(line)
    return lines


def ellipsize(text: str, width: float, measure: Measure, force: bool = False) -> str:
    """``text`` if it fits (and ``force`` is off), else cut to fit with a trailing ellipsis."""
    if not force and measure(text) <= width:
        return text
    while text and measure(text.rstrip() + ELLIPSIS) > width:
        text = text[:-1]
    text = text.rstrip()
    while text and text[-1] in NO_END:  # never "（…"
        text = text[:-1]
    return text + ELLIPSIS


def paragraphs(text: str) -> list[tuple[str, bool]]:
    """Source lines of a body as (line, starts_new_paragraph): a blank line separates paragraphs,
    a single newline is a line break. Leading indentation is dropped: the layout indents."""
    out: list[tuple[str, bool]] = []
    gap = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip(" \t\u3000")
        if not line:
            gap = bool(out)
            continue
        out.append((line, gap))
        gap = False
    return out


@dataclass(frozen=True)
class BodyLine:
    text: str
    indent: bool = False  # first line of a source line
    gap_before: bool = False  # first line of a new paragraph
    note: bool = False  # the "read the rest by scanning" note


def wrap_body(text: str, width: float, measure: Measure, indent: float, max_lines: int | None = None,
              fits: Callable[[list[BodyLine]], bool] | None = None) -> list[BodyLine]:
    """The body as lines; when it runs past ``fits`` (a predicate on the lines so far) the last line
    kept ends in an ellipsis and the clip note follows on a line of its own."""
    lines = [BodyLine(chunk, i == 0, gap and i == 0)
             for para, gap in paragraphs(text)
             for i, chunk in enumerate(wrap(para, width, measure, indent))]
    fits = fits or (lambda ls: max_lines is None or len(ls) <= max_lines)
    if fits(lines):
        return lines
    note = BodyLine(CLIP_NOTE, note=True)
    kept: list[BodyLine] = []
    for line in lines:
        if not fits([*kept, line, note]):
            break
        kept.append(line)
    if kept and not lines[len(kept)].indent:  # cut mid-paragraph: say the sentence goes on
        last = kept[-1]
        room = width - (indent if last.indent else 0)
        kept[-1] = BodyLine(ellipsize(last.text, room, measure, force=True), last.indent, last.gap_before)
    return [*kept, note]


def _balanced(text: str, width: float, measure: Measure) -> list[str]:
    """Wrap into as few lines as greedy wrapping needs, but as even as possible (no one-character
    last line in a title)."""
    lines = wrap(text, width, measure)
    if len(lines) < 2:
        return lines
    lo, hi = width / len(lines), width
    for _ in range(12):
        mid = (lo + hi) / 2
        if len(wrap(text, mid, measure)) > len(lines):
            lo = mid
        else:
            hi = mid
    return wrap(text, hi, measure)


# --- layout ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TextItem:
    x: float
    y: float  # baseline
    text: str
    size: int
    color: str
    align: str = "l"  # l, m (centre) or r
    bold: bool = False


@dataclass(frozen=True)
class BoxItem:
    x: float
    y: float
    w: float
    h: float
    color: str
    radius: float = 0


@dataclass(frozen=True)
class QrItem:
    x: int
    y: int
    box: int  # pixels per module
    code: qrcode.QRCode


@dataclass(frozen=True)
class Layout:
    items: list[TextItem | BoxItem | QrItem]
    body: list[BodyLine]


QR_BORDER = 4  # modules of quiet zone, as the QR standard asks
QR_MIN, QR_MAX = 320, 470  # pixels, quiet zone included: 5.4-8 cm on paper, easy to scan from afar
TITLE, TITLE_LINES, TITLE_STROKE = 80, 3, 2
BODY, BODY_LEAD, PARA_GAP = 34, 58, 22
META, META_LEAD = 36, 60
SMALL = 26


def _qr_code(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER)
    code.add_data(text)
    code.make(fit=True)
    return code


def layout(content: PosterContent, font_path: str) -> Layout:
    """Where everything goes, in pixels from the top left of a 1240×1754 page."""
    def m(size: int) -> Measure:
        return _font(font_path, size).getlength

    items: list[TextItem | BoxItem | QrItem] = []
    inner = WIDTH - 2 * MARGIN

    # Header band: tag and union name, then the title, centred, white on the accent colour.
    y = 96
    head = ellipsize(content.union_name.strip(), inner - 160, m(SMALL + 6))
    if content.kind_label:
        label = content.kind_label.strip()[:4]
        lw = m(SMALL)(label) + 28
        hw = m(SMALL + 6)(head)
        x0 = (WIDTH - (lw + 20 + hw)) / 2
        items += [BoxItem(x0, y - 34, lw, 46, WHITE, radius=23),
                  TextItem(x0 + lw / 2, y - 2, label, SMALL, ACCENT, "m")]
        items.append(TextItem(x0 + lw + 20, y, head, SMALL + 6, ACCENT_TINT))
    else:
        items.append(TextItem(WIDTH / 2, y, head, SMALL + 6, ACCENT_TINT, "m"))
    title_lines = _balanced(content.title.strip() or " ", inner, m(TITLE))
    if len(title_lines) > TITLE_LINES:
        title_lines = title_lines[:TITLE_LINES - 1] + [
            ellipsize("".join(title_lines[TITLE_LINES - 1:]), inner, m(TITLE))]
    y += 58
    for i, line in enumerate(title_lines):
        y += round(TITLE * 1.3) if i else TITLE
        items.append(TextItem(WIDTH / 2, y, line, TITLE, WHITE, "m", bold=True))
    band = y + 74
    items.insert(0, BoxItem(0, 0, WIDTH, band, ACCENT))

    # Time and place, label in the accent colour, value wrapped (two lines at most) beside it.
    y = band + 40
    for label, value in (("时间", content.time_text), ("地点", content.place)):
        if not value or not value.strip():
            continue
        lx = MARGIN + m(META)(label) + 28
        vals = wrap(value.strip(), WIDTH - MARGIN - lx, m(META))
        if len(vals) > 2:
            vals = [vals[0], ellipsize("".join(vals[1:]), WIDTH - MARGIN - lx, m(META))]
        y += META_LEAD
        items += [BoxItem(MARGIN, y - 30, 6, 34, ACCENT), TextItem(MARGIN + 18, y, label, META, ACCENT)]
        for i, v in enumerate(vals):
            y += META_LEAD if i else 0
            items.append(TextItem(lx + 18, y, v, META, INK))
    if y > band + 40:
        y += 40
        items.append(BoxItem(MARGIN, y, inner, 2, RULE))

    # The footer sits at the bottom; the body gets the room left above the smallest QR block.
    fy = HEIGHT - 64
    date = content.date_text.strip()
    footer = ellipsize(content.union_name.strip(), inner - m(SMALL)(f"　{date}"), m(SMALL)) + f"　{date}"
    items.append(TextItem(WIDTH / 2, fy, footer, SMALL, MUTED, "m"))
    if content.footer and content.footer.strip():
        fy -= 44
        items.append(TextItem(WIDTH / 2, fy, ellipsize(content.footer.strip(), inner, m(SMALL)), SMALL, MUTED, "m"))
    free_bottom = fy - SMALL - 40
    caption_h = META + 30  # QR to caption baseline

    code = _qr_code(content.qr_text)
    cells = code.modules_count + 2 * QR_BORDER
    min_box = -(-QR_MIN // cells)  # whole pixels per module: crisp when printed
    body_top = y + 36
    body_floor = free_bottom - caption_h - min_box * cells  # the lowest a body line may sit

    def body_height(lines: list[BodyLine]) -> int:
        return sum(BODY_LEAD + (PARA_GAP if ln.gap_before else 0) for ln in lines)

    indent = 2 * m(BODY)("中")
    body = wrap_body(content.body, inner, m(BODY), indent,
                     fits=lambda ls: body_top + body_height(ls) <= body_floor)
    for ln in body:
        body_top += BODY_LEAD + (PARA_GAP if ln.gap_before else 0)
        x = MARGIN + (indent if ln.indent else 0)
        items.append(TextItem(WIDTH / 2 if ln.note else x, body_top, ln.text, BODY, ACCENT if ln.note else INK,
                           "m" if ln.note else "l"))

    # The QR code grows into the room left (up to QR_MAX); code and caption are centred in that room.
    free_top = body_top + 24  # below the last body line's descenders; the quiet zone adds white
    box = max(min_box, min(QR_MAX, free_bottom - free_top - caption_h) // cells)
    code.box_size = box  # Pillow draws it at this size: crisp modules, no resampling
    size = box * cells
    qr_y = free_top + max(0, (free_bottom - free_top - size - caption_h) // 2)
    items += [QrItem((WIDTH - size) // 2, qr_y, box, code),
              TextItem(WIDTH / 2, qr_y + size + caption_h - 10, QR_CAPTION, META, ACCENT, "m")]
    return Layout(items, body)


# --- renderers ------------------------------------------------------------------------------------------

_ANCHOR = {"l": "ls", "m": "ms", "r": "rs"}


def render_png(content: PosterContent, font_path: str | None = None) -> bytes:
    """The poster as an A4 PNG at 150 dpi (1240×1754). Raises PosterFontMissing without a Chinese font."""
    path = _cjk_font_path(font_path)
    page = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(page)
    for it in layout(content, path).items:
        if isinstance(it, BoxItem):
            shape = [it.x, it.y, it.x + it.w - 1, it.y + it.h - 1]
            if it.radius:
                draw.rounded_rectangle(shape, it.radius, fill=it.color)
            else:
                draw.rectangle(shape, fill=it.color)
        elif isinstance(it, TextItem):
            stroke = TITLE_STROKE if it.bold else 0
            draw.text((it.x, it.y), it.text, font=_font(path, it.size), fill=it.color, anchor=_ANCHOR[it.align],
                      stroke_width=stroke, stroke_fill=it.color)
        else:
            page.paste(it.code.make_image().get_image(), (it.x, it.y))
    out = io.BytesIO()
    page.save(out, "PNG", dpi=(DPI, DPI), compress_level=1)  # encoding is most of the time; level 1 is ~3% bigger
    return out.getvalue()


@lru_cache(maxsize=8)
def _pdf_font(path: str) -> str:
    """Register the font with reportlab once; its subset is embedded in every PDF."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = f"PosterCJK-{zlib.crc32(path.encode()):08x}"
    try:
        font = TTFont(name, path, subfontIndex=0) if path.lower().endswith(".ttc") else TTFont(name, path)
    except TTFError as e:  # e.g. Noto CJK: PostScript (CFF) outlines, which reportlab cannot embed
        raise PosterFontMissing(f"PDF 需要 TrueType 轮廓的中文字体，{path} 不可用（{e}）。{INSTALL_HINT}") from e
    pdfmetrics.registerFont(font)
    return name


def _runs(row: Iterable[bool]) -> Iterable[tuple[int, int]]:
    """(start, length) of each run of dark modules in a QR row."""
    start = None
    for i, dark in enumerate([*row, False]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            yield start, i - start
            start = None


def render_pdf(content: PosterContent, font_path: str | None = None) -> bytes:
    """The poster as a one-page A4 PDF: vector text in the embedded font subset and a vector QR code."""
    from reportlab.lib.colors import HexColor
    from reportlab.pdfgen.canvas import Canvas

    path = _cjk_font_path(font_path)
    name = _pdf_font(path)
    out = io.BytesIO()
    # initialFontName: otherwise reportlab lists Helvetica, unembedded, which print-shop checks flag.
    c = Canvas(out, pagesize=(WIDTH * PT, HEIGHT * PT), pageCompression=1, initialFontName=name, lang="zh-CN")
    c.setTitle(content.title)
    c.setAuthor(content.union_name)

    def y(px: float) -> float:  # pixels from the top -> points from the bottom
        return (HEIGHT - px) * PT

    for it in layout(content, path).items:
        if isinstance(it, BoxItem):
            c.setFillColor(HexColor(it.color))
            if it.radius:
                c.roundRect(it.x * PT, y(it.y + it.h), it.w * PT, it.h * PT, it.radius * PT, stroke=0, fill=1)
            else:
                c.rect(it.x * PT, y(it.y + it.h), it.w * PT, it.h * PT, stroke=0, fill=1)
        elif isinstance(it, TextItem):
            t = c.beginText()
            t.setFont(name, it.size * PT)
            color = HexColor(it.color)
            t.setFillColor(color)
            if it.bold:  # fill and stroke the outline, as Pillow's stroke_width does
                t.setStrokeColor(color)
                c.setLineWidth(2 * TITLE_STROKE * PT)
                t.setTextRenderMode(2)
            width = c.stringWidth(it.text, name, it.size * PT)
            x = it.x * PT - {"l": 0, "m": width / 2, "r": width}[it.align]
            t.setTextOrigin(x, y(it.y))
            t.textOut(it.text)
            if it.bold:
                t.setTextRenderMode(0)  # the render mode outlives the text object
            c.drawText(t)
        else:
            c.setFillColor(HexColor("#000000"))
            for r, row in enumerate(it.code.get_matrix()):  # rows include the quiet zone
                for start, length in _runs(row):
                    c.rect((it.x + start * it.box) * PT, y(it.y + (r + 1) * it.box),
                           length * it.box * PT, it.box * PT, stroke=0, fill=1)
    c.showPage()
    c.save()
    return out.getvalue()


def warm_up(font_path: str | None = None) -> None:
    """Load the font and reportlab once, so the first poster a process serves is as fast as the rest."""
    sample = PosterContent(union_name="工会", title="预热", body="预热", date_text="2026年1月1日", qr_text="warm-up")
    render_png(sample, font_path)
    render_pdf(sample, font_path)
