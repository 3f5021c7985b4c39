"""The PDF page of every report: A4, the studio's colours, an embedded Unicode font, vector charts.

Built on fpdf2 (pure Python, in-process). The font is matplotlib's DejaVu Sans (shipped inside the
matplotlib package, so nothing is downloaded), cut once per process to the Latin glyphs the reports
use (accents, €, CO₂, ≤ …): embedding the whole font costs ~0.25 s a PDF, the subset 0.01 s, which is
what keeps a community's 40 member sheets within the benchmark (``benchmarks/bench_reports.py``).
Small charts are drawn as vector shapes by :meth:`ReportPDF.bar_chart` (crisp in print, numbers
searchable); the community report's larger charts and map are matplotlib images (``charts.py``).
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

#: The studio's palette (the same colours as ``studio/pure/charts.py``), as RGB.
PALETTE = {
    "production": "#e0a100", "consumption": "#34495e", "self_consumed": "#1b7f5f", "shared": "#f2b705",
    "injected_not_shared": "#8fb8de", "withdrawn_not_shared": "#b8c2c8", "tip": "#1b7f5f",
    "valorisation": "#57b98b", "energy_sale": "#2f6fb0", "bill_savings": "#f2b705", "fees": "#c0392b",
    "net": "#1d2a25", "F1": "#c0392b", "F2": "#f39c12", "F3": "#2f6fb0", "consumer": "#2f6fb0",
    "prosumer": "#1b7f5f", "producer": "#e0a100", "brand": "#1b7f5f", "ink": "#1d2a25", "muted": "#5f6b66",
    "rule": "#c7d0cb", "band": "#eef4f1", "pass": "#1b7f5f", "warning": "#d68910", "fail": "#c0392b",
}
FONT = "DejaVu"
#: Unicode code points kept in the embedded font subset.
GLYPHS = [*range(0x20, 0x7F), *range(0xA0, 0x180), 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
          0x2026, 0x20AC, 0x2082, 0x2192, 0x2212, 0x2264, 0x2265, 0x2713, 0x2717, 0x25CF, 0x25A0, 0x25B2, 0x00B7]


def rgb(name_or_hex: str) -> tuple[int, int, int]:
    h = PALETTE.get(name_or_hex, name_or_hex).lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    """The subset DejaVu Sans files (regular, bold) in a private temporary folder, made once."""
    import matplotlib
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    src = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    out_dir = Path(tempfile.mkdtemp(prefix="cer_report_fonts_"))
    atexit.register(shutil.rmtree, out_dir, ignore_errors=True)
    files = {}
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        font = TTFont(src / name)
        options = subset.Options(notdef_outline=True, name_IDs=["*"], hinting=False)  # screen hints: not for print
        options.drop_tables += ["FFTM"]
        sub = subset.Subsetter(options)
        sub.populate(unicodes=GLYPHS)
        sub.subset(font)
        files[style] = out_dir / name
        font.save(files[style])
    return files


class ReportPDF(FPDF):
    """An A4 portrait report page set: running header (community, document) and footer (page n/N).

    Parameters
    ----------
    header_text, footer_text : str
        Small grey lines at the top and bottom of every page.
    """

    MARGIN_MM = 14.0

    def __init__(self, header_text: str = "", footer_text: str = ""):
        super().__init__(orientation="P", unit="mm", format="A4")
        files = font_files()
        if not all(path.is_file() for path in files.values()):  # the temporary folder was cleaned up under us
            font_files.cache_clear()
            files = font_files()
        for style, path in files.items():
            self.add_font(FONT, style, str(path))
        self.header_text, self.footer_text = header_text, footer_text
        self.set_margins(self.MARGIN_MM, 16, self.MARGIN_MM)
        self.set_auto_page_break(True, 16)
        self.set_creator("CER Studio")
        self.alias_nb_pages()
        self.set_font(FONT, "", 9)

    @property
    def content_w(self) -> float:
        return self.w - 2 * self.MARGIN_MM

    # ---- running header and footer ------------------------------------------------------------
    def header(self):
        self.set_fill_color(*rgb("brand"))
        self.rect(0, 0, self.w, 3.2, style="F")
        self.set_xy(self.MARGIN_MM, 6)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*rgb("muted"))
        self.cell(self.content_w, 4, self.header_text, align="R")
        self.set_text_color(*rgb("ink"))
        self.set_y(14)

    def footer(self):
        self.set_y(-11)
        self.set_font(FONT, "", 7)
        self.set_text_color(*rgb("muted"))
        self.cell(self.content_w * 0.8, 4, self.footer_text)
        self.cell(self.content_w * 0.2, 4, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*rgb("ink"))

    # ---- text -----------------------------------------------------------------------------------
    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(FONT, "B", 17)
        self.set_text_color(*rgb("ink"))
        self.multi_cell(self.content_w, 7.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FONT, "", 9.5)
            self.set_text_color(*rgb("muted"))
            self.multi_cell(self.content_w, 5, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*rgb("ink"))
        self.ln(2)

    def section(self, title: str, space_mm: float = 30.0) -> None:
        """A section heading in the brand colour; starts a new page when fewer than ``space_mm`` remain."""
        if self.get_y() + space_mm > self.h - 18:
            self.add_page()
        self.ln(1.5)
        self.set_font(FONT, "B", 11.5)
        self.set_text_color(*rgb("brand"))
        self.cell(self.content_w, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*rgb("rule"))
        self.set_line_width(0.3)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.content_w, self.get_y())
        self.ln(1.8)
        self.set_text_color(*rgb("ink"))

    def para(self, text: str, size: float = 8.5, style: str = "", color: str = "ink", h: float | None = None) -> None:
        """A left-aligned paragraph (``style`` "" or "B"; notes are set in the muted colour, not italic)."""
        self.set_font(FONT, style, size)
        self.set_text_color(*rgb(color))
        self.multi_cell(self.content_w, h or size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*rgb("ink"))

    # ---- figures --------------------------------------------------------------------------------
    def tiles(self, items: list[tuple[str, str, str]], h: float = 17.0) -> None:
        """A row of figure tiles ``(label, value, colour)``: a coloured edge, the value large, the label small."""
        n = max(len(items), 1)
        gap = 3.0
        w = (self.content_w - gap * (n - 1)) / n
        x0, y0 = self.l_margin, self.get_y()
        for k, (label, value, color) in enumerate(items):
            x = x0 + k * (w + gap)
            self.set_fill_color(*rgb("band"))
            self.rect(x, y0, w, h, style="F")
            self.set_fill_color(*rgb(color))
            self.rect(x, y0, 1.3, h, style="F")
            self.set_xy(x + 3, y0 + 2)
            self.set_font(FONT, "", 7.2)
            self.set_text_color(*rgb("muted"))
            if self.get_string_width(label) <= w - 5:
                self.cell(w - 4, 3.2, label)
            else:
                self.multi_cell(w - 4, 3.2, label, align="L")
            self.set_xy(x + 3, y0 + h - 7.5)
            self.set_font(FONT, "B", 12 if len(value) < 16 else 10)
            self.set_text_color(*rgb("ink"))
            self.cell(w - 4, 6, value)
        self.set_xy(x0, y0 + h + 3)

    def bar_chart(self, x: float, y: float, w: float, h: float, categories: list[str],
                  stacks: list[tuple[str, list[float], str]], line: tuple[str, list[float], str] | None = None,
                  unit: str = "kWh", fmt=None, title: str = "") -> None:
        """Monthly bars drawn as vector shapes: stacked ``(label, values, colour)`` series, an optional
        ``line`` series as dots joined by a line, a light grid with 4 labelled steps and a legend.

        ``fmt`` formats the axis values (the report's number format).
        """
        fmt = fmt or (lambda v: f"{v:,.0f}")
        totals = [sum(max(s[1][i], 0.0) for s in stacks) for i in range(len(categories))]
        top = max(totals + (list(line[1]) if line else []) + [0.0])
        step = _nice_step(top / 4) if top > 0 else 1.0
        ymax = step * max(1, -(-top // step))
        if title:
            self.set_xy(x, y)
            self.set_font(FONT, "B", 8)
            self.cell(w, 4, title)
            y += 5
            h -= 5
        legend_h = 5.0
        label_w = 13.0
        px, py, pw, ph = x + label_w, y + 1, w - label_w, h - legend_h - 6
        self.set_font(FONT, "", 6.3)
        self.set_draw_color(*rgb("#e6ebe8"))
        self.set_line_width(0.2)
        n_steps = int(round(ymax / step))
        for k in range(n_steps + 1):
            gy = py + ph - ph * k / n_steps
            self.line(px, gy, px + pw, gy)
            self.set_text_color(*rgb("muted"))
            self.set_xy(x, gy - 1.6)
            self.cell(label_w - 1.5, 3.2, fmt(step * k), align="R")
        n = len(categories)
        slot = pw / n
        bw = slot * 0.62
        for i, cat in enumerate(categories):
            bx = px + i * slot + (slot - bw) / 2
            base = 0.0
            for _label, values, color in stacks:
                v = max(values[i], 0.0)
                if v <= 0:
                    continue
                bh = ph * v / ymax
                self.set_fill_color(*rgb(color))
                self.rect(bx, py + ph - ph * base / ymax - bh, bw, bh, style="F")
                base += v
            self.set_text_color(*rgb("muted"))
            self.set_xy(px + i * slot, py + ph + 0.8)
            self.cell(slot, 3, cat, align="C")
        if line:
            _label, values, color = line
            self.set_draw_color(*rgb(color))
            self.set_fill_color(*rgb(color))
            self.set_line_width(0.5)
            pts = [(px + (i + 0.5) * slot, py + ph - ph * max(v, 0.0) / ymax) for i, v in enumerate(values)]
            for a, b in zip(pts, pts[1:]):
                self.line(a[0], a[1], b[0], b[1])
            for cx, cy in pts:
                self.ellipse(cx - 0.8, cy - 0.8, 1.6, 1.6, style="F")
        # legend
        lx, ly = px, py + ph + 5
        self.set_font(FONT, "", 6.8)
        for label, _v, color in stacks + ([line] if line else []):
            self.set_fill_color(*rgb(color))
            self.rect(lx, ly + 0.6, 2.6, 2.6, style="F")
            self.set_text_color(*rgb("ink"))
            self.set_xy(lx + 3.4, ly)
            tw = self.get_string_width(label) + 6
            self.cell(tw, 3.8, label)
            lx += tw + 3.4
        self.set_text_color(*rgb("ink"))
        self.set_draw_color(*rgb("rule"))

    def grid_table(self, headings: list[str], rows: list[list[str]], widths: list[float] | None = None,
                   aligns: list[str] | None = None, size: float = 7.5, bold_last: bool = False,
                   row_colors: list[str | None] | None = None) -> None:
        """A table with a green heading row repeated on every page, zebra rows and right-aligned numbers."""
        self.set_font(FONT, "", size)
        self.set_draw_color(*rgb("rule"))
        self.set_line_width(0.15)
        widths = widths or [self.content_w / len(headings)] * len(headings)
        aligns = aligns or ["L"] + ["R"] * (len(headings) - 1)
        heading_style = _heading_style()
        self.set_fill_color(246, 249, 247)  # the zebra rows take the current fill colour
        with self.table(col_widths=widths, width=min(sum(widths), self.epw), text_align=aligns, line_height=size * 0.55,
                        headings_style=heading_style, cell_fill_color=(246, 249, 247), cell_fill_mode="ROWS",
                        borders_layout="HORIZONTAL_LINES", padding=(0.9, 1.2), align="L",
                        first_row_as_headings=True, repeat_headings=1) as table:
            table.row(headings)
            for k, r in enumerate(rows):
                style = None
                if bold_last and k == len(rows) - 1:
                    style = _bold_style()
                row = table.row(style=style)
                for j, value in enumerate(r):
                    color = row_colors[k] if (row_colors and j == 0 and row_colors[k]) else None
                    row.cell(value, style=_color_style(color) if color else None)
        self.ln(2)


def _nice_step(raw: float) -> float:
    import math

    exp = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * exp:
            return m * exp
    return 10 * exp


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD", color=(255, 255, 255), fill_color=rgb("brand"))


def _bold_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD")


def _color_style(color: str):
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD", color=rgb(color))
