"""PNG charts of the published counts (matplotlib, no display needed).

A suppressed cell is drawn as an empty bar labelled "<5": its height would give the count away.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from bot.desk.stats import Dimension, Statistics

plt.rcParams["font.family"] = "DejaVu Sans"  # every Central Asian letter; matplotlib ships it
plt.rcParams["svg.fonttype"] = "none"


def chart_png(dimension: Dimension, stats: Statistics) -> bytes | None:
    """A horizontal bar chart; None when there is nothing to draw."""
    items = [(k, v) for k, v in dimension.counts.items() if v > 0]
    if not items or not dimension.chart:
        return None
    labels = [textwrap.shorten(dimension.labels.get(k, k), 48, placeholder="…") for k, _ in items]
    heights = [0 if stats.hidden(v) else v for _, v in items]
    figure, axes = plt.subplots(figsize=(7.5, 0.9 + 0.38 * len(items)), dpi=110)
    try:
        positions = list(range(len(items)))
        axes.barh(positions, heights, color="#3b5b92")
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_title(dimension.title, loc="left", fontsize=11)
        axes.spines[["top", "right"]].set_visible(False)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        top = max(heights) if any(heights) else stats.min_cell
        for position, (_, count), height in zip(positions, items, heights, strict=True):
            text = stats.shown(count)
            axes.text(height + top * 0.01, position, text, va="center", fontsize=9)
        axes.set_xlim(0, top * 1.12 + 1)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
