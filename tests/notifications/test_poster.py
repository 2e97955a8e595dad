"""Printable posters: A4 PNG and PDF with real Chinese glyphs, a QR code that scans, and Chinese line breaking."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import reportlab
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from notifications.poster import (
    CLIP_NOTE,
    ELLIPSIS,
    MARGIN,
    NO_END,
    NO_START,
    QR_CAPTION,
    WIDTH,
    PosterContent,
    PosterFontMissing,
    QrItem,
    TextItem,
    find_cjk_font,
    layout,
    paragraphs,
    render_pdf,
    render_png,
    wrap,
    wrap_body,
)

# A Latin-only TrueType font that ships with reportlab, so the test needs nothing else installed.
LATIN_ONLY = str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")
BODY = ("各分会、全体会员：\n\n为切实关心职工身体健康，经公司工会研究决定，组织开展2025年度职工健康体检。"
        "现将有关事项通知如下：\n一、体检时间：6月3日（周二）至6月20日（周五），每天7:30–10:30，请空腹前往。\n"
        "二、报名方式：请于5月28日前通过“同心”小程序预约；如需改期，请联系工会办公室 0571-8888 1234。")


def content(**kw) -> PosterContent:
    base = dict(union_name="XX公司工会委员会", title="关于开展2025年度职工健康体检的通知", body=BODY,
                date_text="2025年5月20日", qr_text="https://union.example.com/n/2025-0520?src=poster",
                time_text="2025年6月3日–6月20日 7:30–10:30", place="市第一人民医院 门诊楼三层",
                footer="咨询：工会办公室 0571-8888 1234", kind_label="通知")
    return PosterContent(**{**base, **kw})


def png_image(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def one_len(s: str) -> float:
    """Every character one unit wide: line breaking without a font."""
    return float(len(s))


# --- PNG ------------------------------------------------------------------------------------------------

def test_png_is_a4_portrait_at_150_dpi():
    img = png_image(render_png(content()))
    assert img.format == "PNG"
    assert img.size == (1240, 1754)
    assert [round(d) for d in img.info["dpi"]] == [150, 150]  # prints at A4 size, not enlarged


def test_chinese_is_drawn_with_real_glyphs_not_boxes():
    # Boxes look alike: two titles of the same length would give identical pixels.
    a = png_image(render_png(content(title="职工羽毛球友谊赛"))).crop((0, 120, WIDTH, 320))
    b = png_image(render_png(content(title="职工乒乓球友谊赛"))).crop((0, 120, WIDTH, 320))
    assert a.getbbox() is not None and a.tobytes() != b.tobytes()
    font = ImageFont.truetype(find_cjk_font(), 40)

    def glyph(ch: str) -> bytes:
        img = Image.new("L", (56, 56))
        ImageDraw.Draw(img).text((4, 4), ch, font=font, fill=255)
        return img.tobytes()

    box = glyph("\uffff")  # what the font draws for a character it lacks
    for ch in set(re.sub(r"[\x00-\x7f\s]", "", content().title + BODY)):
        assert glyph(ch) != box, ch


def test_a_font_without_chinese_is_refused_rather_than_printing_boxes():
    with pytest.raises(PosterFontMissing, match="fonts-wqy-microhei"):
        render_png(content(), font_path=LATIN_ONLY)
    with pytest.raises(PosterFontMissing, match="fonts-wqy-microhei"):
        render_pdf(content(), font_path=LATIN_ONLY)


def test_qr_code_scans_to_the_notice_link_and_is_crisp():
    c = content(qr_text="https://union.example.com/events/4242/signup?from=poster&utm_source=print")
    img = png_image(render_png(c))
    (code,) = zxingcpp.read_barcodes(img)
    assert code.text == c.qr_text
    assert code.ec_level == "M"
    p = code.position
    area = img.crop((p.top_left.x, p.top_left.y, p.bottom_right.x, p.bottom_right.y))
    # Whole pixels per module: pure black and white, no grey edges from resampling.
    assert {color for _, color in area.getcolors(1 << 16)} == {(0, 0, 0), (255, 255, 255)}


def test_caption_and_footer_are_on_the_poster():
    texts = [it.text for it in layout(content(), find_cjk_font()).items if isinstance(it, TextItem)]
    assert QR_CAPTION in texts
    assert "咨询：工会办公室 0571-8888 1234" in texts
    assert any("2025年5月20日" in t for t in texts)
    assert any("市第一人民医院" in t for t in texts) and any("7:30–10:30" in t for t in texts)


def test_optional_lines_are_left_out_when_not_given():
    bare = content(place=None, time_text=None, footer=None, kind_label=None)
    texts = [it.text for it in layout(bare, find_cjk_font()).items if isinstance(it, TextItem)]
    assert "时间" not in texts and "地点" not in texts and "通知" not in texts
    assert zxingcpp.read_barcodes(png_image(render_png(bare)))[0].text == bare.qr_text


# --- layout: titles and bodies that do not fit ---------------------------------------------------------

def test_long_title_is_cut_to_three_lines_with_an_ellipsis():
    title = ("关于组织开展“迎端午、送安康”系列主题活动暨第十二届职工趣味运动会、"
             "书画摄影作品展和困难职工走访慰问工作的通知")
    lines = [it.text for it in layout(content(title=title), find_cjk_font()).items
             if isinstance(it, TextItem) and it.bold]
    assert len(lines) == 3 and lines[-1].endswith(ELLIPSIS)


def test_long_body_is_clipped_with_the_scan_note_above_the_qr_code():
    font_path = find_cjk_font()
    long_body = "为切实关心职工身体健康，经公司工会研究决定，组织开展2025年度职工健康体检。" * 20
    poster = layout(content(body=long_body), font_path)
    assert poster.body[-1].text == CLIP_NOTE and poster.body[-1].note
    assert poster.body[-2].text.endswith(ELLIPSIS)
    (qr,) = [it for it in poster.items if isinstance(it, QrItem)]
    note = next(it for it in poster.items if isinstance(it, TextItem) and it.text == CLIP_NOTE)
    assert note.y < qr.y
    assert zxingcpp.read_barcodes(png_image(render_png(content(body=long_body))))[0].text == content().qr_text


def test_body_that_fits_is_shown_whole_and_every_line_fits_the_page():
    font_path = find_cjk_font()
    poster = layout(content(), font_path)
    assert CLIP_NOTE not in [ln.text for ln in poster.body]
    assert "".join(ln.text for ln in poster.body).replace(" ", "") == re.sub(r"\s", "", BODY)
    measure = ImageFont.truetype(font_path, 34).getlength
    assert all(measure(ln.text) <= WIDTH - 2 * MARGIN for ln in poster.body)


# --- line breaking (pure) ------------------------------------------------------------------------------

PUNCTUATED = ("通知：6月3日（周二）起，“同心”小程序开放预约、改期；名额有限！"
              "请问需要带什么？《体检须知》——请提前阅读……谢谢。")


@pytest.mark.parametrize("width", range(4, 16))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(width):
    lines = wrap(PUNCTUATED, width, one_len)
    assert "".join(lines) == PUNCTUATED
    for line in lines:
        assert line and line[0] not in NO_START, lines
        assert line[-1] not in NO_END, lines
        assert len(line) <= width, lines


@pytest.mark.parametrize("width", range(11, 24))
def test_latin_words_and_numbers_are_never_split(width):
    text = "报名截止2025年5月28日 14:00，详见WeChat小程序或访问 example.com 咨询"
    lines = wrap(text, width, one_len)
    for word in ("2025", "14:00，", "WeChat", "example.com"):
        assert any(word in line for line in lines), (word, lines)
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in lines)


def test_chinese_breaks_between_any_two_characters():
    assert wrap("为切实关心职工身体健康", 4, one_len) == ["为切实关", "心职工身", "体健康"]
    assert wrap("为切实关心职工身体健康", 4, one_len, indent=2) == ["为切", "实关心职", "工身体健", "康"]


def test_a_word_longer_than_a_line_is_cut_rather_than_overflowing():
    lines = wrap("链接https://union.example.com/n/42", 10, one_len)
    assert all(len(line) <= 10 for line in lines)
    assert "".join(lines) == "链接https://union.example.com/n/42"


def test_line_breaks_and_paragraphs_are_kept():
    assert paragraphs("各位会员：\r\n\n\n　　第一段。\n第二行。\n\n第三段。") == [
        ("各位会员：", False), ("第一段。", True), ("第二行。", False), ("第三段。", True)]
    lines = wrap_body("第一段很长很长。\n第二行。\n\n第三段。", 6, one_len, indent=2)
    assert [(ln.text, ln.indent, ln.gap_before) for ln in lines] == [
        ("第一段很", True, False), ("长很长。", False, False), ("第二行。", True, False), ("第三段。", True, True)]


def test_clipped_body_ends_with_an_ellipsis_and_the_note():
    lines = wrap_body("一二三四五六七八九十" * 5, 6, one_len, indent=0, max_lines=4)
    assert [ln.text for ln in lines] == ["一二三四五六", "七八九十一二", "三四五六七…", CLIP_NOTE]
    assert lines[-1].note
    # Cut at the end of a paragraph: nothing is mid-sentence, so no ellipsis.
    lines = wrap_body("第一段。\n第二段。\n第三段。\n第四段。", 6, one_len, indent=0, max_lines=3)
    assert [ln.text for ln in lines] == ["第一段。", "第二段。", CLIP_NOTE]


# --- PDF -----------------------------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(not (shutil.which("pdffonts") and shutil.which("pdftoppm")),
                                   reason="poppler-utils (pdffonts, pdftoppm) not installed")


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("poster") / "poster.pdf"
    path.write_bytes(render_pdf(content()))
    return path


def test_pdf_is_one_a4_page_with_the_chinese_font_embedded(pdf_file):
    data = pdf_file.read_bytes()
    assert data.startswith(b"%PDF-")
    assert re.search(rb"/MediaBox \[\s*0 0 595\.2\d* 841\.9\d*\s*\]", data)  # A4 in points
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 1
    assert b"/FontFile2" in data  # an embedded TrueType font program, not a name left to the viewer


@needs_poppler
def test_pdf_fonts_are_all_embedded(pdf_file):
    out = subprocess.run(["pdffonts", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    fonts = out.splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\b", f) for f in fonts), out  # emb, sub
    assert "WenQuanYi" in out or "wqy" in out.lower()


@needs_poppler
def test_printed_pdf_page_scans_and_keeps_the_text(pdf_file, tmp_path):
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf_file), str(tmp_path / "page")],
                   check=True, timeout=60)
    page = Image.open(tmp_path / "page.png")
    assert page.size == (1240, 1754)
    assert zxingcpp.read_barcodes(page)[0].text == content().qr_text
    if shutil.which("pdftotext"):  # the text is real text: searchable, copyable
        text = subprocess.run(["pdftotext", str(pdf_file), "-"], capture_output=True, text=True).stdout
        assert "职工健康体检的通知" in text.replace("\n", "") and QR_CAPTION in text


# --- fonts ---------------------------------------------------------------------------------------------

def test_font_is_found_on_a_set_up_machine():
    path = find_cjk_font()
    assert ImageFont.truetype(path, 20).getlength("工会") > 0


def test_a_configured_font_that_is_missing_is_a_clear_error():
    with pytest.raises(PosterFontMissing, match="FONT_PATH.*fonts-wqy-microhei"):
        find_cjk_font("/nonexistent/fonts/missing.ttc")
    with pytest.raises(PosterFontMissing):
        render_png(content(), font_path="/nonexistent/fonts/missing.ttc")


def test_pdf_refuses_a_font_reportlab_cannot_embed():
    noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    try:
        has_noto = find_cjk_font(noto) == noto
    except PosterFontMissing:
        has_noto = False
    if not has_noto:
        pytest.skip("Noto CJK (PostScript outlines) not installed")
    with pytest.raises(PosterFontMissing, match="TrueType"):
        render_pdf(content(), font_path=noto)
