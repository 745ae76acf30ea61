"""A 公文-like Word document (.docx) from a list of blocks: the typesetter behind the Word/PDF
briefing.

Knows layout, not figures: kechuang.models.briefing decides what the briefing says and hands this
module a Document of headings, paragraphs, tables and chart images. Layout follows GB/T 9704 where a
briefing can: A4 portrait, margins 37/35/28/26 mm, a red title over a red rule (简报的“红头”), body
in 仿宋三号 on a fixed 28-point line, level-1 headings (一、) in 黑体, level-2 (（一）) in 楷体,
page numbers “— 1 —”.

Fonts are named in the XML for each script (w:ascii/w:hAnsi for Latin and digits, w:eastAsia for
Chinese): Word and WPS pick the East Asian font only from w:eastAsia. Theme-font attributes of
the default template are removed, since Word prefers them to the names. Where these fonts are not
installed (a server), the PDF conversion maps them to Noto CJK (kechuang.output.pdf).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

BODY_FONT = "仿宋"  # 仿宋 (FangSong) ships with Windows and WPS; 仿宋_GB2312 is not everywhere
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"  # digits and Latin letters, as 公文 set them
RED = RGBColor(0xC0, 0x00, 0x00)
MARKS = {
    "behind": ("FDE2E1", RGBColor(0xC6, 0x28, 0x28)),
    "at_risk": ("FFF1D6", RGBColor(0xB2, 0x6A, 0x00)),
}
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6
PPR_AFTER_BORDER = (
    *("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct"),
    *("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd"),
    *("w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents"),
    *("w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap"),
    *("w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
)


@dataclass
class Heading:
    text: str
    level: int = 1  # 1: 一、 in 黑体; 2: （一） in 楷体


@dataclass
class Paragraph:
    text: str
    lead: str = ""  # a bold opening phrase, e.g. "总体情况："
    note: bool = False  # small print (五号, single spacing): sources, remarks at the end


@dataclass
class Table:
    caption: str  # 表1 …, above the table
    header: list[str]
    rows: list[list[str]]
    widths_cm: list[float]
    align: str = ""  # one letter a column: l, c, r (default: first column left, others centred)
    marks: list[str | None] = field(default_factory=list)  # per row: behind, at_risk or None
    mark_column: int | None = None  # the column whose text is coloured on a marked row
    note: str = ""  # 注：…, below the table


@dataclass
class Image:
    png: bytes
    caption: str  # 图1 …, below the image
    width_cm: float = TEXT_WIDTH_CM


@dataclass
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Image | PageBreak


@dataclass
class Document:
    title: str
    issue: str  # 第10期
    issuer: str  # left of the issuing line
    dated: str  # right of the issuing line: 数据截至2026年10月31日
    blocks: list[Block]
    footer: str  # 数据来源 … 生成时间 …, on every page above the page number
    scope: str = ""  # a line under the issue number (a town's briefing)
    generated_at: datetime | None = None


def write_docx(doc: Document) -> bytes:
    """The document as .docx bytes."""
    word = new_document()
    _page_setup(word)
    _styles(word)
    _masthead(word, doc)
    figures = tables = 0
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_paragraph(xml_text(block.text), style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            _paragraph(word, block)
        elif isinstance(block, Table):
            tables += 1
            _table(word, block)
        elif isinstance(block, Image):
            figures += 1
            _image(word, block)
        elif isinstance(block, PageBreak):
            word.add_page_break()
    _footer(word, doc.footer)
    props = word.core_properties
    props.title, props.author, props.subject = doc.title, "如东科创驾驶舱", doc.dated
    props.last_modified_by, props.revision = "如东科创驾驶舱", 1
    if doc.generated_at is not None:
        props.created = props.modified = doc.generated_at
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


# -- fonts and styles ----------------------------------------------------------------------------


def set_fonts(element, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a style's or run's rPr for every script; drop theme fonts (Word prefers
    them)."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def _style(word, name: str, east_asia: str, size: float, *, bold=False, latin=LATIN_FONT):
    style = word.styles[name]
    set_fonts(style.element, east_asia, latin)
    style.font.size, style.font.bold, style.font.italic = Pt(size), bold, False
    style.font.color.rgb = RGBColor(0, 0, 0)
    return style


def _styles(word) -> None:
    # Chinese text as Chinese (glyph forms, line breaking), not the template's en-US.
    for lang in word.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    normal = _style(word, "Normal", BODY_FONT, 16)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32)  # two characters
    fmt.widow_control = True
    for level, font in ((1, HEADING_FONT), (2, SUBHEADING_FONT)):
        style = _style(word, f"Heading {level}", font, 16, bold=level == 2)
        style.font.color.theme_color = None
        style.font.color.rgb = RGBColor(0, 0, 0)
        pf = style.paragraph_format
        pf.space_before, pf.space_after = Pt(6 if level == 1 else 0), Pt(0)
        pf.first_line_indent, pf.keep_with_next = Pt(32), True
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    caption = _style(word, "Caption", SUBHEADING_FONT, 12)
    caption.font.color.theme_color = None
    caption.font.color.rgb = RGBColor(0, 0, 0)
    pf = caption.paragraph_format
    pf.alignment, pf.first_line_indent = WD_ALIGN_PARAGRAPH.CENTER, Pt(0)
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.SINGLE, None
    pf.space_before, pf.space_after = Pt(3), Pt(6)


def _page_setup(word) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(1.5)


# -- blocks --------------------------------------------------------------------------------------


# A name from the data may hold control characters XML 1.0 cannot carry (a vertical tab pasted from
# Word, a stray \x01 in a department's export): python-docx would refuse the whole briefing. Every
# text reaching the document passes here and shows them as a space.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """The text as the document can hold it: XML-incompatible control characters as spaces."""
    return _NOT_XML.sub(" ", text)


def _run(paragraph, text: str, font: str | None = None, size: float | None = None, **kw):
    run = paragraph.add_run(xml_text(text))
    if font:
        set_fonts(run._r, font)
    if size:
        run.font.size = Pt(size)
    if kw.get("bold"):
        run.font.bold = True
    if kw.get("color") is not None:
        run.font.color.rgb = kw["color"]
    return run


def _plain(word, align=WD_ALIGN_PARAGRAPH.CENTER, spacing: float | None = None):
    p = word.add_paragraph()
    pf = p.paragraph_format
    pf.alignment, pf.first_line_indent = align, Pt(0)
    if spacing is not None:
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(spacing)
    return p


def _masthead(word, doc: Document) -> None:
    """Red title, issue number, issuing line over a red rule."""
    title = _plain(word, spacing=40)
    title.paragraph_format.space_before = Pt(12)
    _run(title, doc.title, TITLE_FONT, 22, color=RED)
    issue = _plain(word, spacing=30)
    _run(issue, doc.issue, BODY_FONT, 16)
    if doc.scope:
        _run(_plain(word, spacing=28), doc.scope, SUBHEADING_FONT, 16)
    line = _plain(word, WD_ALIGN_PARAGRAPH.LEFT, spacing=28)
    line.paragraph_format.space_before = Pt(12)
    line.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    _run(line, f"{doc.issuer}\t{doc.dated}", BODY_FONT, 14)
    _border(line, "bottom", "C00000", 18)
    word.add_paragraph().paragraph_format.line_spacing = Pt(12)


def _border(paragraph, side: str, colour: str, eighths: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", str(eighths)), ("space", "4"), ("color", colour)):
        edge.set(qn(f"w:{key}"), value)
    borders.append(edge)
    # Word refuses children of w:pPr out of the schema's order: pBdr goes before these.
    ppr.insert_element_before(borders, *PPR_AFTER_BORDER)


def _paragraph(word, block: Paragraph) -> None:
    p = word.add_paragraph()
    size = 10.5 if block.note else None
    if block.note:
        pf = p.paragraph_format
        pf.line_spacing_rule, pf.first_line_indent, pf.space_before = (
            WD_LINE_SPACING.SINGLE,
            Pt(0),
            Pt(6),
        )
    if block.lead:
        _run(p, block.lead, HEADING_FONT, size)
    _run(p, block.text, None, size)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell(cell, text: str, align: str, *, bold=False, color=None, font=BODY_FONT) -> None:
    p = cell.paragraphs[0]
    pf = p.paragraph_format
    pf.first_line_indent, pf.line_spacing_rule = Pt(0), WD_LINE_SPACING.SINGLE
    pf.space_before = pf.space_after = Pt(1)
    pf.alignment = {
        "l": WD_ALIGN_PARAGRAPH.LEFT,
        "r": WD_ALIGN_PARAGRAPH.RIGHT,
        "c": WD_ALIGN_PARAGRAPH.CENTER,
    }[align]
    _run(p, text, font, 10.5, bold=bold, color=color)


def _table(word, block: Table) -> None:
    caption = word.add_paragraph(xml_text(block.caption), style="Caption")
    caption.paragraph_format.keep_with_next = True
    align = block.align or "l" + "c" * (len(block.header) - 1)
    table = word.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = word.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: the widths as given (grid and cells, both set below)
    header = table.rows[0]
    header_props = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row again on every page
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for c, text in enumerate(block.header):
        _cell(header.cells[c], text, "c", font=HEADING_FONT)
        _shade(header.cells[c], "EDEDED")
    for r, values in enumerate(block.rows, start=1):
        mark = block.marks[r - 1] if r - 1 < len(block.marks) else None
        fill, colour = MARKS.get(mark, (None, None))
        keep = OxmlElement("w:cantSplit")  # a row stays on one page
        table.rows[r]._tr.get_or_add_trPr().append(keep)
        for c, text in enumerate(values):
            emphasis = mark is not None and c == block.mark_column
            cell = table.rows[r].cells[c]
            _cell(cell, text, align[c], bold=emphasis, color=colour if emphasis else None)
            if fill:
                _shade(cell, fill)
    for c, width in enumerate(block.widths_cm):
        table.columns[c].width = Cm(width)
        for row in table.rows:
            row.cells[c].width = Cm(width)
    if block.note:
        note = _plain(word, WD_ALIGN_PARAGRAPH.LEFT)
        note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        note.paragraph_format.space_before = Pt(3)
        _run(note, block.note, BODY_FONT, 10.5)
    word.add_paragraph().paragraph_format.line_spacing = Pt(8)


def _image(word, block: Image) -> None:
    p = _plain(word)
    p.paragraph_format.line_spacing_rule = (
        WD_LINE_SPACING.SINGLE
    )  # an exact line would clip the image
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_before = Pt(6)
    p.add_run().add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
    word.add_paragraph(xml_text(block.caption), style="Caption")


# -- footer: sources, generated-at, page number ----------------------------------------------------


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE): begin, instruction, separate, a placeholder, end."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        set_fonts(run._r, BODY_FONT)
        run.font.size = Pt(14)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            run.text = text
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)


def _footer(word, text: str) -> None:
    footer = word.sections[0].footer
    source = footer.paragraphs[0]
    pf = source.paragraph_format
    pf.alignment, pf.first_line_indent = WD_ALIGN_PARAGRAPH.CENTER, Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(source, text, BODY_FONT, 9, color=RGBColor(0x59, 0x59, 0x59))
    number = footer.add_paragraph()
    number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.first_line_indent = Pt(0)
    number.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(number, "— ", BODY_FONT, 14)
    _field(number, "PAGE")
    _run(number, " —", BODY_FONT, 14)
