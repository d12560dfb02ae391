"""The batch report's charts: what they draw must be what the run holds, inside the plot."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from hypothesis import example, given
from hypothesis import strategies as st

from mtcheck.report import charts

# What a report plots: scores, lengths in characters, counts of articles and flags.
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 2))


@given(values, values, st.integers(min_value=3, max_value=8), st.booleans())
@example(0.0, 0.01, 3, True)  # counts over a range below 1 once recursed without end
def test_ticks_are_few_round_values_that_cover_the_range(a, b, most, whole):
    low, high = min(a, b), max(a, b)
    ticks = charts.nice_ticks(low, high, most, whole)
    assert 2 <= len(ticks) <= most + (1 if whole else 0)
    assert ticks[0] <= low and ticks[-1] >= high
    gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:])]
    step = gaps[0]
    assert all(abs(gap - step) <= 1e-9 * max(1.0, step) for gap in gaps), "evenly spaced"
    mantissa = float(f"{step:e}".split("e")[0])
    assert round(mantissa, 6) in (1, 2, 2.5, 5)
    if whole:
        assert all(float(t).is_integer() for t in ticks)


def _inside(chart: charts.Chart, x: float, y: float) -> bool:
    return chart.left - 0.01 <= x <= chart.right + 0.01 and chart.top - 0.01 <= y <= chart.bottom + 0.01


def test_a_histogram_counts_every_article_once_and_stays_inside_its_plot():
    values = [12.0, 15.5, 15.7, 40.0, 41.0, 41.5, 42.0, 88.0, 90.0, 99.5]
    chart = charts.histogram(values, "estimated MQM")
    counted = [int(re.search(r": (\d+) article", bar.tip).group(1)) for bar in chart.bars]
    assert sum(counted) == len(values)
    for bar in chart.bars:
        assert _inside(chart, bar.x, bar.y) and _inside(chart, bar.x + bar.width, bar.y + bar.height)
    tallest = max(chart.bars, key=lambda bar: bar.height)
    low, high = (float(v) for v in re.match(r"([\d.]+) to ([\d.]+)", tallest.tip).groups())
    assert low <= 40.0 and 42.0 <= high and "4 articles" in tallest.tip
    assert chart.x_ticks[0].at == chart.left and chart.x_ticks[-1].at == chart.right


def test_categories_are_drawn_largest_first_with_lengths_in_proportion():
    chart = charts.category_bars(Counter({"grammar": 3, "mistranslation": 12, "fluency": 6}), "Flags", "flags")
    assert [tick.label for tick in chart.y_ticks] == ["mistranslation", "fluency", "grammar"]
    widths = {bar.tip.split(":")[0]: bar.width for bar in chart.bars}
    assert abs(widths["mistranslation"] / widths["grammar"] - 4) < 1e-9
    assert chart.left > len("mistranslation") * 6, "room for the longest name"
    assert all(_inside(chart, bar.x + bar.width, bar.y + bar.height) for bar in chart.bars)
    assert all(float(tick.label).is_integer() for tick in chart.x_ticks), "flags come whole"


def test_a_scatter_places_each_article_by_its_two_values():
    chart = charts.scatter([1000, 5000, 3000], [80.0, 20.0, 50.0], ["a", "b", "c"], "characters", "estimated MQM")
    by_name = {point.tip.split(":")[0]: point for point in chart.points}
    assert by_name["a"].x < by_name["c"].x < by_name["b"].x
    assert by_name["a"].y < by_name["c"].y < by_name["b"].y, "a higher score is drawn higher"
    assert all(_inside(chart, p.x, p.y) for p in chart.points)


def test_each_chart_renders_as_well_formed_labelled_svg():
    from mtcheck.report.html import _environment

    macro = _environment().from_string('{% from "_chart.svg.j2" import chart %}{{ chart(c) }}')
    drawn = [charts.histogram([30.0 + 7 * i for i in range(8)], "estimated MQM"),
             charts.scatter([800, 950, 1100], [30.0, 37.0, 44.0], ["a<1>", "b", "c"], "characters", "estimated MQM"),
             charts.category_bars(Counter({"grammar": 4, "fluency": 1}), "Flags by category", "flags")]
    for chart in drawn:
        root = ET.fromstring(macro.render(c=chart))
        assert root.get("role") == "img" and root.get("aria-label") == chart.title
        shapes = root.findall("{http://www.w3.org/2000/svg}rect") + root.findall("{http://www.w3.org/2000/svg}circle")
        assert len(shapes) == len(chart.bars) + len(chart.points) > 0
        assert all(shape.find("{http://www.w3.org/2000/svg}title").text for shape in shapes), "each tells its value"
    assert "a<1>: 800 characters" in macro.render(c=drawn[1]).replace("&lt;", "<").replace("&gt;", ">")
