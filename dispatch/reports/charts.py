"""Bar charts drawn on the server as SVG geometry: no JavaScript, no CDN, readable on a phone.

Floats here are only positions on the drawing; every amount a bar carries (and shows) stays a Decimal.
"""
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, GAP = 600, 220, 6


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal
    part: str = ""  # which stacked figure this piece is


def profit_bars(values: list[tuple[str, Decimal]]) -> tuple[list[Bar], float]:
    """One bar per month from a zero line: up for profit, down for loss. Returns the bars and the zero line's y."""
    highest = max([value for _, value in values] + [Decimal(0)])
    lowest = min([value for _, value in values] + [Decimal(0)])
    scale = _scale(highest - lowest)
    zero = float(highest) * scale
    width = WIDTH / len(values)
    bars = [
        Bar(index * width + GAP / 2, zero - max(float(value), 0) * scale, width - GAP, abs(float(value)) * scale, label, value)
        for index, (label, value) in enumerate(values)
    ]
    return bars, zero


def revenue_and_cost_bars(months: list[tuple[str, Decimal, dict[str, Decimal]]]) -> list[Bar]:
    """Per month, revenue beside its costs stacked (parts, labour, mileage, expenses)."""
    highest = max([max(revenue, sum(costs.values(), Decimal(0))) for _, revenue, costs in months] + [Decimal(0)])
    scale = _scale(highest)
    width = WIDTH / len(months)
    bars = []
    for index, (label, revenue, costs) in enumerate(months):
        left = index * width + GAP / 2
        half = (width - GAP) / 2
        revenue_height = max(float(revenue), 0) * scale
        bars.append(Bar(left, HEIGHT - revenue_height, half, revenue_height, label, revenue, "revenue"))
        top = HEIGHT
        for part, cost in costs.items():
            height = max(float(cost), 0) * scale
            top -= height
            bars.append(Bar(left + half, top, half, height, label, cost, part))
    return bars


def _scale(span: Decimal) -> float:
    return HEIGHT / float(span) if span > 0 else 0.0
