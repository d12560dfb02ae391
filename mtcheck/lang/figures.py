"""Figures in French and English text: their values, and the converted values a French
translation may give instead of an English original's US units or 12-hour clock.

A translation for French readers converts "95 degrees Fahrenheit" to "35 degrés Celsius",
"190 miles" to "306 km", "6 p.m." to "18 heures" and "1.3 trillion" to "1 300 milliards";
those figures are the original's, not changed ones.
"""

from __future__ import annotations

import re

# French: "1 500", "1.500", "2,5"; and a decimal point left from the English ("5.5", "510.01"),
# which machine translation often keeps. A figure glued to letters ("G20") is part of a name.
FRENCH_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?(?![\w]|[.,]\d)"
    r"|(?<![\w.,])\d+\.\d+(?![\w.])"
    r"|(?<![\w.,])\d+(?:,\d+)?(?![\w]|[.,]\d)"
)
# English: also the figures glued to units and names ("10x30", "31.5L", "Step2", ".375"), so
# that their French rendering ("10 x 30", "31,5 L") is found in the reference. A leading point
# is a decimal one only when no other follows: in "working out.2.5 horsepower" (sentences run
# together) the figure is 2.5.
ENGLISH_NUMBER = re.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d,])(?:\.\d+(?![.\d])|\d+(?:\.\d+)?)")
# Small numbers the English spells out ("two U.S. officials", "a five-function computer").
_ENGLISH_NUMBER_WORDS = {w: float(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_ENGLISH_WORD = re.compile(r"[A-Za-z]+")


def french_value(token: str) -> float:
    cleaned = re.sub(r"[ \u00a0\u202f]", "", token)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")  # "1.500": a thousands point
    return float(cleaned.replace(",", "."))


def english_value(token: str) -> float:
    return float(token.replace(",", ""))


def english_values(text: str) -> set[float]:
    """Every figure of an English text, written in digits or as a small number word."""
    values = {english_value(m.group()) for m in ENGLISH_NUMBER.finditer(text)}
    return values | {_ENGLISH_NUMBER_WORDS[w] for w in map(str.lower, _ENGLISH_WORD.findall(text))
                     if w in _ENGLISH_NUMBER_WORDS}


def figure_values(word: str) -> set[float]:
    """The values a written figure may have, its comma or point read as decimal or thousands
    separator: "1,0" is 1.0; "1,500" is 1.5 in French and 1500 in English."""
    if not re.fullmatch(r"\d+(?:[.,]\d+)*", word):
        return set()
    values = set()
    for decimal, thousands in ((".", ","), (",", ".")):
        whole, _, fraction = word.partition(decimal)
        groups = whole.split(thousands)
        if fraction and not fraction.isdigit():
            continue
        if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
            continue
        values.add(float("".join(groups) + ("." + fraction if fraction else "")))
    return values


# US units and their metric conversion: (pattern after the figure, factor, offset).
_CONVERSIONS = (
    (r"(?:degrees? )?(?:°\s?F|Fahrenheit)\b", 5 / 9, -32.0),
    (r"(?:miles?|mi)\b", 1.609344, 0.0),
    (r"mph\b", 1.609344, 0.0),
    (r"(?:square feet|sq\.? ?ft\.?)", 0.09290304, 0.0),
    (r"(?:feet|foot|ft)\b", 0.3048, 0.0),
    (r"(?:inches|inch|in\.)", 2.54, 0.0),
    (r"(?:yards?|yd)\b", 0.9144, 0.0),
    (r"(?:pounds?|lbs?)\b", 0.45359237, 0.0),
    (r"(?:ounces?|oz)\b", 28.349523125, 0.0),
    (r"(?:gallons?|gal)\b", 3.785411784, 0.0),
    (r"acres?\b", 0.40468564224, 0.0),
    # French counts a trillion in milliards ("1 300 milliards" for "1.3 trillion"), or as "billions".
    (r"trillions?\b", 1000.0, 0.0),
)
_UNIT = re.compile(r"[\s\u00a0-]*(?:" + "|".join(f"({p})" for p, _, _ in _CONVERSIONS) + ")", re.IGNORECASE)
_CLOCK = re.compile(r"\b(\d{1,2})(?::\d{2})?\s?p\.?m\.?(?!\w)", re.IGNORECASE)


def conversions(english: str) -> list[tuple[int, int, float]]:
    """Each US measure or 12-hour afternoon time of ``english``: its span and the value a
    French translation gives for it (the metric value, or the hour on the 24-hour clock)."""
    found = []
    for match in ENGLISH_NUMBER.finditer(english):
        unit = _UNIT.match(english, match.end())
        if unit is None:
            continue
        factor, offset = next((f, o) for (_, f, o), g in zip(_CONVERSIONS, unit.groups()) if g)
        value = (english_value(match.group()) + offset) * factor
        found.append((match.start(), unit.end(), value))
    for match in _CLOCK.finditer(english):
        hour = int(match.group(1))
        if 1 <= hour <= 11:
            found.append((match.start(), match.end(), float(hour + 12)))
    return found


def converts(value: float, converted: float) -> bool:
    """Whether a French figure gives ``converted``, rounded as a translator rounds it."""
    return abs(value - converted) <= max(0.5, 0.03 * abs(converted))
