"""The batch report's charts, laid out for its SVG template: a histogram, bars by category and
a scatter plot.

The report draws them as inline SVG from this geometry rather than as PNGs rendered by
matplotlib: every batch ends with its report, and importing matplotlib and rendering four
small figures took 0.8 s of a 14 s run. SVG stays sharp when zoomed or printed, its labels
are text, and each bar and point tells its value when pointed at.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 520, 320
# Room around the plot: the title above, tick labels and the axis name below and to the left.
TOP, BOTTOM, RIGHT, LEFT = 30, 48, 16, 56
CHARACTER_WIDTH = 6.5  # of the tick labels' 11px sans-serif, enough to keep a category name clear


@dataclass(frozen=True)
class Tick:
    """A labelled place on an axis, in pixels along it."""

    at: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    tip: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    tip: str


@dataclass(frozen=True)
class Chart:
    """One chart in the pixels of its SVG: the plot's box, its ticks, its bars or points."""

    title: str
    x_label: str
    y_label: str
    left: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...] = ()
    points: tuple[Point, ...] = ()
    colour: str = "#4c72b0"
    width: int = WIDTH
    height: int = HEIGHT
    top: float = TOP

    @property
    def right(self) -> float:
        return self.width - RIGHT

    @property
    def bottom(self) -> float:
        return self.height - BOTTOM


def nice_ticks(low: float, high: float, most: int = 6, whole: bool = False) -> list[float]:
    """At most ``most`` round values (steps of 1, 2, 2.5 or 5 times a power of ten; whole
    numbers only where ``whole``, for counts) whose span covers ``low``..``high``."""
    if not high > low:
        low, high = low - 0.5, high + 0.5
    power = 10 ** math.floor(math.log10((high - low) / (most - 1)))
    if whole:  # counts step by 1 at least: below it no multiple is whole, however many ticks are allowed
        power = max(power, 1)
    for multiple in (1, 2, 2.5, 5, 10, 20, 25, 50):
        step = multiple * power
        if whole and not (step >= 1 and float(step).is_integer()):
            continue
        first, last = math.floor(low / step), math.ceil(high / step)
        if last - first + 1 <= most:
            digits = max(0, 3 - math.floor(math.log10(step)))  # drops 0.30000000000000004's tail
            return [round(k * step, digits) for k in range(first, last + 1)]
    return nice_ticks(low, high, most + 1, whole)  # whole steps of a range below most - 1


def _label(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def histogram(values: Sequence[float], label: str) -> Chart:
    """How many articles fall in each band of ``values`` (between 5 and 30 bands)."""
    import numpy as np

    counts, edges = np.histogram(values, bins=min(30, max(5, len(values) // 5)))
    x_ticks = nice_ticks(float(edges[0]), float(edges[-1]))
    y_ticks = nice_ticks(0, max(1, int(counts.max())), most=5, whole=True)
    x, y = _scale(x_ticks, LEFT, WIDTH - RIGHT), _scale(y_ticks, HEIGHT - BOTTOM, TOP)
    bars = tuple(Bar(x(a), y(n), max(0.5, x(b) - x(a) - 1), y(0) - y(n),
                     f"{_label(a)} to {_label(b)}: {n} article{'s' if n != 1 else ''}")
                 for a, b, n in zip(edges[:-1].tolist(), edges[1:].tolist(), counts.tolist()) if n)
    return Chart(f"{label} per article", label, "articles", LEFT, _ticks(x_ticks, x), _ticks(y_ticks, y), bars=bars)


def scatter(xs: Sequence[float], ys: Sequence[float], names: Sequence[str], x_label: str, y_label: str) -> Chart:
    """One point per article (``names``: what its tooltip calls it)."""
    x_ticks, y_ticks = nice_ticks(min(xs), max(xs)), nice_ticks(min(ys), max(ys), most=5)
    x, y = _scale(x_ticks, LEFT, WIDTH - RIGHT), _scale(y_ticks, HEIGHT - BOTTOM, TOP)
    points = tuple(Point(x(a), y(b), f"{name}: {_label(a)} {x_label}, {y_label} {b:.1f}")
                   for a, b, name in zip(xs, ys, names))
    return Chart(f"{y_label} vs {x_label}", x_label, y_label, LEFT, _ticks(x_ticks, x), _ticks(y_ticks, y),
                 points=points, colour="#55a868")


def category_bars(counts: Counter, title: str, x_label: str) -> Chart:
    """A horizontal bar per category, the largest on top."""
    names = sorted(counts, key=lambda name: (-counts[name], name))
    left = max(LEFT, 12 + CHARACTER_WIDTH * max(len(name) for name in names))
    x_ticks = nice_ticks(0, max(counts.values()), most=6, whole=True)
    x = _scale(x_ticks, left, WIDTH - RIGHT)
    row = (HEIGHT - BOTTOM - TOP) / len(names)
    bars = tuple(Bar(x(0), TOP + k * row + row * 0.15, x(counts[name]) - x(0), row * 0.7, f"{name}: {counts[name]}")
                 for k, name in enumerate(names))
    y_ticks = tuple(Tick(TOP + (k + 0.5) * row, name) for k, name in enumerate(names))
    return Chart(title, x_label, "", left, _ticks(x_ticks, x), y_ticks, bars=bars, colour="#dd8452")


def _scale(ticks: Sequence[float], start: float, end: float):  # noqa: ANN202
    """Value → pixel, the first tick at ``start`` and the last at ``end``."""
    low, high = ticks[0], ticks[-1]
    return lambda value: start + (value - low) / (high - low) * (end - start)


def _ticks(values: Sequence[float], place) -> tuple[Tick, ...]:  # noqa: ANN001
    return tuple(Tick(place(v), _label(v)) for v in values)
