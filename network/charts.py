"""The knowledge bank's overview as bar charts: one chart per dimension, drawn as SVG by the
app (no chart library, no CDN) and shown inline next to a table with the same figures.

The geometry is plain numbers; `templates/network/chart.svg` writes them inside
`{% localize off %}`, because with Dutch active Django writes 187.5 as "187,5", which SVG
ignores (tests/network/test_charts.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from network.selectors import Overview

# One row a bar: the label and the count on a line above the bar, so that a phone shows
# the chart at about its own size (14 px text) instead of scaling a wide one down.
ROW_HEIGHT = 34
LABEL_BASELINE = 14
BAR_TOP = 18
BAR_HEIGHT = 11
CHART_WIDTH = 320
BAR_SPACE = CHART_WIDTH  # the longest bar


@dataclass(frozen=True)
class Dimension:
    slug: str  # in the chart's URL: /initiatives/overview/<slug>.svg
    attribute: str  # the Overview field with the (row, count) pairs
    parameter: str  # the knowledge bank's filter for one row
    heading: str
    title: str


DIMENSIONS = (
    Dimension("themes", "by_theme", "theme", _("By theme"), _("Initiatives by theme")),
    Dimension(
        "target-groups",
        "by_target_group",
        "target_group",
        _("By target group"),
        _("Initiatives by target group"),
    ),
    Dimension(
        "municipalities",
        "by_municipality",
        "municipality",
        _("By municipality"),
        _("Initiatives by municipality"),
    ),
    Dimension(
        "success-factors",
        "by_success_factor",
        "success_factor",
        _("By success factor"),
        _("Initiatives by success factor"),
    ),
)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    top: int
    width: float
    label_y: int
    bar_y: int

    @property
    def rtl_x(self) -> float:
        """Where the bar starts in a right-to-left chart: it grows from the right edge."""
        return round(BAR_SPACE - self.width, 2)


@dataclass(frozen=True)
class BarChart:
    dimension: Dimension
    rows: list  # (taxonomy row, count) pairs, for the table beside the chart
    bars: list[Bar]
    width: int
    height: int
    bar_height: int


def bar_chart(*, dimension: Dimension, rows: list) -> BarChart:
    """Bars proportional to the counts; the longest is BAR_SPACE wide."""
    maximum = max((n for _row, n in rows), default=0) or 1
    bars = []
    for index, (row, n) in enumerate(rows):
        top = index * ROW_HEIGHT
        width = round(BAR_SPACE * n / maximum, 2)
        bars.append(
            Bar(
                label=row.name,
                count=n,
                top=top,
                width=width,
                label_y=top + LABEL_BASELINE,
                bar_y=top + BAR_TOP,
            )
        )
    return BarChart(
        dimension=dimension,
        rows=rows,
        bars=bars,
        width=CHART_WIDTH,
        height=max(len(bars), 1) * ROW_HEIGHT,
        bar_height=BAR_HEIGHT,
    )


def overview_charts(*, overview: Overview) -> list[BarChart]:
    return [
        bar_chart(dimension=dimension, rows=getattr(overview, dimension.attribute))
        for dimension in DIMENSIONS
    ]


def dimension_get(slug: str) -> Dimension:
    for dimension in DIMENSIONS:
        if dimension.slug == slug:
            return dimension
    raise Http404
