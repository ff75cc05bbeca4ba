"""V9: the report's SVG charts are drawn to scale on the server."""

from camshaft.analytics import charts


def test_V9_bars_are_drawn_to_scale_with_the_value_past_the_longer_bar():
    chart = charts.bar_chart("p50 and p95", [("part", 50, "50"), ("home", 5, "5")], behind=[100, 7])
    part, home = chart.bars
    assert (part.width, part.back_width) == (charts.PLOT_WIDTH // 2, charts.PLOT_WIDTH)
    assert home.width == round(charts.PLOT_WIDTH * 5 / 100)
    assert part.text_x > charts.LABEL_WIDTH + part.back_width
    assert home.y > part.y


def test_V9_a_chart_of_nothing_draws_no_bars_and_does_not_divide_by_zero():
    assert charts.bar_chart("empty", []).bars == []
    columns = charts.column_chart("days", [("Mar 01", 0, "0"), ("Mar 02", 0, "0")]).columns
    assert [c.height for c in columns] == [0, 0]


def test_V9_day_columns_rise_with_the_views_and_label_at_most_ten_days():
    rows = [(f"day {i}", i, str(i)) for i in range(30)]
    chart = charts.column_chart("views", rows)
    heights = [c.height for c in chart.columns]
    assert heights == sorted(heights) and heights[-1] == charts.COLUMN_PLOT_HEIGHT
    assert sum(1 for c in chart.columns if c.label) <= 10
