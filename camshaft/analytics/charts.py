"""Geometry of the report's small SVG charts, drawn by templates on the
server: no JavaScript, nothing fetched from elsewhere (V9)."""

from dataclasses import dataclass

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 220
PLOT_WIDTH = 420
VALUE_ROOM = 90
COLUMN_PLOT_HEIGHT = 160
COLUMN_AREA_WIDTH = 720
AXIS_ROOM = 22


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: int
    back_width: int | None  # a wider, paler bar behind (p95 behind p50)

    @property
    def text_x(self) -> int:
        """The value is written just past the longer of the two bars."""
        return LABEL_WIDTH + max(self.width, self.back_width or 0) + 4


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def _scale(value: float, top: float, room: int) -> int:
    return round(room * value / top) if top > 0 else 0


def bar_chart(
    title: str,
    rows: list[tuple[str, float, str]],
    *,
    behind: list[float] | None = None,
) -> BarChart:
    """Horizontal bars, one per (label, value, text shown) row. `behind`,
    if given, draws a second value per row as a paler bar under the first."""
    top = max([v for _, v, _ in rows] + (behind or []) + [0])
    bars = [
        Bar(
            label=label if len(label) <= 32 else label[:31] + "…",
            text=text,
            y=i * (BAR_HEIGHT + BAR_GAP),
            width=_scale(value, top, PLOT_WIDTH),
            back_width=_scale(behind[i], top, PLOT_WIDTH) if behind else None,
        )
        for i, (label, value, text) in enumerate(rows)
    ]
    return BarChart(
        title=title,
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_ROOM,
        height=max(1, len(rows)) * (BAR_HEIGHT + BAR_GAP),
        label_width=LABEL_WIDTH,
        bars=bars,
    )


@dataclass(frozen=True)
class Column:
    x: int
    y: int
    width: int
    height: int
    title: str
    label: str  # shown under some columns only, so labels never overlap


@dataclass(frozen=True)
class ColumnChart:
    title: str
    width: int
    height: int
    baseline: int
    columns: list[Column]


def column_chart(title: str, rows: list[tuple[str, float, str]]) -> ColumnChart:
    """Vertical columns over time, one per (axis label, value, hover text)."""
    count = max(1, len(rows))
    step = max(1, COLUMN_AREA_WIDTH // count)
    label_every = max(1, -(-count // 10))
    top = max([v for _, v, _ in rows] + [0])
    columns = []
    for i, (label, value, text) in enumerate(rows):
        height = _scale(value, top, COLUMN_PLOT_HEIGHT)
        columns.append(
            Column(
                x=i * step,
                y=COLUMN_PLOT_HEIGHT - height,
                width=max(1, step - 2),
                height=height,
                title=text,
                label=label if i % label_every == 0 else "",
            )
        )
    return ColumnChart(
        title=title,
        width=count * step,
        height=COLUMN_PLOT_HEIGHT + AXIS_ROOM,
        baseline=COLUMN_PLOT_HEIGHT,
        columns=columns,
    )
