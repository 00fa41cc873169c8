"""Charts of the insights pages, drawn on the server by pygal as SVG.

Each chart is an ``<img>`` whose source is the SVG itself (a ``data:`` URI,
allowed by the pages' Content-Security-Policy): readable without JavaScript,
no inline script or style in the page, and pygal's SVG keeps its text as text
with a ``<title>``. The figures are also in a table next to each chart, which
is what screen readers and keyboard users get (the image's ``alt`` points there).
"""

from __future__ import annotations

import base64
import sys
from dataclasses import dataclass
from typing import Sequence

import pygal
from pygal.style import Style

# pygal appends to sys.meta_path a finder with only the legacy find_module() API, for its map plugins
# (pygal.maps.*), which fedcat does not use; every later failed import would then warn (ImportWarning)
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

__all__ = ["Chart", "bar_chart", "line_chart", "stacked_bar_chart"]

#: Colours with enough contrast on white, told apart by people with the common colour-vision deficiencies (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#6b7785",
    colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=16,
    value_font_size=12,
)
_COMMON = dict(
    style=STYLE,
    js=[],  # no tooltips script: the page shows the numbers in a table instead
    width=720,
    height=400,
    legend_at_bottom=True,
    legend_at_bottom_columns=2,
    print_values=False,
    truncate_legend=-1,
    truncate_label=-1,
    disable_xml_declaration=False,
)


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its title, its SVG, and the ``data:`` URI an ``<img>`` shows it with."""

    title: str
    svg: bytes

    @property
    def data_uri(self) -> str:
        """``data:image/svg+xml;base64,…``."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, horizontal: bool = False, unit: str = "", max_value: float | None = None) -> Chart:
    """Grouped bars: one group per label, one bar per series."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    options = {**_COMMON, **_sized(len(labels), horizontal)}
    chart = kind(range=(0, max_value) if max_value else None, x_label_rotation=_rotation(labels, horizontal), **options)
    return _render(chart, title, labels, series, unit)


def stacked_bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, unit: str = "") -> Chart:
    """Stacked bars: one bar per label, split by series."""
    chart = pygal.StackedBar(x_label_rotation=_rotation(labels, False), **_COMMON)
    return _render(chart, title, labels, series, unit)


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, unit: str = "") -> Chart:
    """Lines over ``labels`` (dates of harvests); missing points are left out."""
    chart = pygal.Line(x_label_rotation=30, show_minor_x_labels=True, allow_interruptions=True, **_COMMON)
    return _render(chart, title, labels, series, unit)


def _render(chart, title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], unit: str) -> Chart:
    """The SVG; the title is the page's (heading and caption), not drawn twice."""
    chart.x_labels = list(labels)
    if unit:
        chart.value_formatter = lambda value: f"{value:g} {unit}".strip()
    chart.legend_at_bottom_columns = 1 if max((len(name) for name in series), default=0) > 28 else 2
    for name, values in series.items():
        chart.add(name, list(values))
    return Chart(title=title, svg=chart.render())


def _rotation(labels: Sequence[str], horizontal: bool) -> int:
    """Tilt long category labels under vertical bars so that they do not run into each other."""
    return 0 if horizontal or sum(len(label) for label in labels) < 60 else 20


def _sized(rows: int, horizontal: bool) -> dict:
    return {"height": max(360, 40 + 34 * rows)} if horizontal else {}
