"""statistics.pdf: a printable report of the published counts, with the charts.

The DejaVu Sans font is embedded (Debian's fonts-dejavu-core, or the copy matplotlib ships), so
Cyrillic, Kazakh ә ғ қ ң ө ұ ү һ і, Tajik ӣ ӯ ҳ ҷ, Uzbek ʻ and Turkmen ç ä ň ş ý ž print anywhere.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF

from bot.desk.charts import chart_png
from bot.desk.errors import DeskError
from bot.desk.labels import Words
from bot.desk.stats import Statistics

_DEBIAN = Path("/usr/share/fonts/truetype/dejavu")


def font_files() -> tuple[Path, Path]:
    """(regular, bold) DejaVu Sans."""
    for folder in (_DEBIAN, Path(matplotlib.get_data_path()) / "fonts" / "ttf"):
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise DeskError("no DejaVu Sans font found (install fonts-dejavu-core, or matplotlib)")


def statistics_pdf(stats: Statistics, words: Words, charts: dict[str, bytes]) -> bytes:
    w = words
    regular, bold = font_files()
    pdf = FPDF(format="A4")
    pdf.set_title(w("Statistics"))
    pdf.set_creator("complaint-bot desk")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    _say(pdf, 9, w("Statistics: {coalition}", coalition=stats.coalition))
    pdf.set_font("DejaVu", "", 10)
    start, end = stats.period
    period = w("Period: {start} to {end}", start=start or "…", end=end or "…")
    _say(pdf, 6, period)
    _say(pdf, 6, w("Cases: {n}", n=stats.shown(stats.cases)))
    if stats.urgent_share is not None:
        urgent = next(d.counts.get("high", 0) for d in stats.dimensions if d.key == "urgency")
        share = stats.mark if stats.hidden(urgent) else f"{stats.urgent_share:.0%}"
        _say(pdf, 6, w("Urgent share: {share}", share=share))
    _say(
        pdf,
        6,
        w(
            "Counts from 1 to {below} are shown as {mark}, so that no person can be singled out.",
            below=stats.min_cell - 1,
            mark=stats.mark,
        ),
    )
    for dimension in stats.dimensions:
        rows = [(dimension.labels.get(k, k), stats.shown(v)) for k, v in dimension.counts.items()]
        if not rows:
            continue
        if pdf.will_page_break(12 + 7 * min(len(rows), 6)):
            pdf.add_page()
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        _say(pdf, 7, dimension.title)
        pdf.set_font("DejaVu", "", 9)
        with pdf.table(
            col_widths=(150, 30), text_align=("LEFT", "RIGHT"), line_height=5.5
        ) as table:
            heading = table.row()
            heading.cell(w("Category"))
            heading.cell(w("Cases"))
            for label, count in rows:
                row = table.row()
                row.cell(label)
                row.cell(count)
        image = charts.get(dimension.key)
        if image is not None:
            if pdf.will_page_break(60):
                pdf.add_page()
            pdf.image(io.BytesIO(image), w=170)
    return bytes(pdf.output())


def _say(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def chart_images(stats: Statistics) -> dict[str, bytes]:
    charts = {}
    for dimension in stats.dimensions:
        png = chart_png(dimension, stats)
        if png is not None:
            charts[dimension.key] = png
    return charts
