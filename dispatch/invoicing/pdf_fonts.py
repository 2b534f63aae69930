"""The Unicode fonts our PDFs are printed in, parsed once per process instead of once per document.

fpdf2's `add_font` parses the whole TrueType file (two thirds of an invoice's rendering time), and on
output cuts the document's subset out of that parsed font in place, so a parsed font serves one
document only. Here a process parses each file once and keeps what documents only read (character
map, widths, metrics); each document gets the state it changes: the glyphs it used, and a font
program of its own for fpdf2 to subset, opened from bytes prepared once. Most documents use Latin
letters, punctuation and currency signs only: their subset is cut from a program holding just those
(a tenth of the glyphs, so a tenth of the work); any other character takes the whole font's.

fpdf2 has no public way to share a parsed font between documents: this sets attributes of its
`TTFFont`, which is why pyproject.toml pins fpdf2 to the versions tests/invoicing/test_pdf.py
passed on.
"""
import copy
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

# Tables fpdf2 drops whenever it subsets a font for output (fpdf/output.py): left out once, here.
TABLES_NOT_EMBEDDED = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta")
# Latin letters with their accents (Zoë, Kraków, Ångström), punctuation, currency signs, № and ™.
COMMON_CHARACTERS = [*range(0x20, 0x250), *range(0x2000, 0x2070), *range(0x20A0, 0x20D0), *range(0x2100, 0x2150)]


@dataclass(frozen=True)
class FontProgram:
    """A font file's tables, ready for fpdf2 to subset: its bytes, and its glyph names kept aside."""

    data: bytes
    glyph_order: tuple[str, ...]
    glyph_names: frozenset[str]

    def covers(self, glyph_names) -> bool:
        return self.glyph_names.issuperset(glyph_names)

    def open(self) -> ttLib.TTFont:
        font = ttLib.TTFont(io.BytesIO(self.data), lazy=True, recalcTimestamp=False)
        font.setGlyphOrder(list(self.glyph_order))
        return font


@cache
def font_programs(path: Path) -> tuple[FontProgram, ...]:
    """The file's programs, smallest first: the common characters only, then every glyph."""
    font = ttLib.TTFont(str(path), recalcTimestamp=False)
    for tag in TABLES_NOT_EMBEDDED:
        if tag in font:
            del font[tag]
    whole = _program(font)
    options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=COMMON_CHARACTERS)
    cutter.subset(font)
    return _program(font), whole


def _program(font: ttLib.TTFont) -> FontProgram:
    glyph_order = tuple(font.getGlyphOrder())
    # Without glyph names (fpdf2's subsets have none either): decoding 6,000 of them per document was slow.
    font["post"].formatType = 3.0
    data = io.BytesIO()
    font.save(data)
    return FontProgram(data.getvalue(), glyph_order, frozenset(glyph_order))


class ParsedFont:
    """One font file in one style, parsed once; `for_document` gives a document its own copy to draw with."""

    def __init__(self, path: Path, style: str):
        parser = FPDF()
        parser.add_font("parsed", style, str(path))
        (self.font,) = parser.fonts.values()
        # Documents subset programs of their own: the tables parsed here (megabytes) are not needed again.
        self.font.ttfont = None
        self.programs = font_programs(path)

    def for_document(self, pdf: FPDF, fontkey: str) -> TTFFont:
        font = copy.copy(self.font)  # the character map, glyph ids and metrics are only read: shared
        font.i = len(pdf.fonts) + 1
        font.fontkey = fontkey
        font.cw = self.font.cw.copy()  # a defaultdict: looking up a character it lacks adds it
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.ttfont = self.programs[-1].open()  # output opens the smallest one holding what the document used
        font.subset = SubsetMap(font)  # the glyphs this document uses
        return font


@cache
def parsed_font(path: Path, style: str) -> ParsedFont:
    return ParsedFont(path, style)


def add_parsed_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """`pdf.add_font(family, style, path)`, from the font this process parsed."""
    fontkey = f"{family.lower()}{style}"  # as FPDF.add_font names it, for set_font to find
    pdf.fonts[fontkey] = parsed_font(path, style).for_document(pdf, fontkey)


def open_smallest_programs(pdf: FPDF) -> None:
    """Before output: each font is subset from the smallest program holding every glyph the document used."""
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            used = font.subset.get_all_glyph_names()
            font.ttfont = next(program for program in font_programs(font.ttffile) if program.covers(used)).open()
