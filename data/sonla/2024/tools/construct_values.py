#!/usr/bin/env python3
"""Construct and verify data/sonla/2024/values.csv (Python 3.11, standard library only).

Son La published the *results* of its 2024 digital-transformation assessment (group
means, the first two units of each group, how many units fell in each band), not the
values each unit entered. This script makes a plausible set of per-unit values that
reproduces every published figure exactly, and documents how it was made:

1. Every unit gets a target total (TARGETS). The four totals named in the published
   results are used as they are; the others are chosen so that the band counts and
   the group means come out as published, each at least 0.3 points away from a band
   threshold and from the named totals.
2. A unit's strength (0..1) follows from its target. For every leaf indicator a
   quality q = strength + the leaf's bias + a little deterministic noise (a hash of
   unit, indicator and attempt number) picks a realistic value from the leaf's
   profile (PROFILES: a range of typical percentages, a ladder of typical counts,
   a threshold for yes/no ...). Percentages are put on a grid that makes the leaf's
   points a whole number of hundredths.
3. The appraisal council's leaf (6.4, a `manual` rule) is solved last: it receives
   exactly the points still missing to reach the target. When that lies outside a
   range plausible for the unit's strength (or, for a named unit, is not a whole
   number of hundredths), another attempt is drawn with adjusted strength.
4. The values are written the way reporters write them: có/không, 97%, "96,5",
   88.2, 3/4, choice codes; a few `na` (not applicable) and two missing values.
5. The package is read back from disk (assessment.toml, frameworks, units.csv,
   values.csv) and scored by the independent implementation of the points method of
   shared/spec/assessment-package.md below, twice: in exact rational arithmetic and
   in floating point. The published figures are asserted.

Run from the repository root:
    python3 data/sonla/2024/tools/construct_values.py           # (re)write values.csv, verify
    python3 data/sonla/2024/tools/construct_values.py --check   # fail if values.csv would change
The output is deterministic: running it again writes a byte-identical values.csv.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # data/sonla/2024

# ---------------------------------------------------------------------------------
# Published figures (fact) — what the verification asserts
# ---------------------------------------------------------------------------------

PUBLISHED = {
    "overall_mean": "74.8",  # mean of the two group means, 1 decimal
    "provincial": {
        "mean": "73.2",
        "first": ("STTTT", "91.48"),
        "second": ("SGTVT", "89.94"),
        "bands": {"good": 2, "fair": 11, "average": 7, "weak": 0},
    },
    "district": {
        "mean": "76.4",
        "first": ("116", "89.77"),
        "second": ("122", "84.13"),
        "bands": {"good": 1, "fair": 7, "average": 4, "weak": 0},
    },
}

# ---------------------------------------------------------------------------------
# Target totals (the four named ones are published; the others are illustrative)
# ---------------------------------------------------------------------------------

TARGETS = {
    "provincial": {
        "STTTT": "91.48", "SGTVT": "89.94",  # published, band good
        # fair (11)
        "VPUBND": "84.21", "SKHDT": "82.05", "STC": "80.62", "SNV": "79.48",
        "STP": "78.12", "SYT": "76.86", "SGDDT": "75.73", "STNMT": "74.54",
        "SCT": "73.28", "SXD": "71.91", "SNNPTNT": "70.78",
        # average (7)
        "SLDTBXH": "69.35", "SKHCN": "68.12", "SVHTTDL": "65.74", "BQLKCN": "62.58",
        "TTT": "59.91", "SNGV": "55.83", "BDT": "53.47",
    },
    "district": {
        "116": "89.77",  # published, band good
        "122": "84.13",  # published, band fair
        # fair (6 more)
        "123": "82.56", "125": "81.37", "120": "80.14", "124": "78.95",
        "118": "77.62", "119": "76.36",
        # average (4)
        "128": "68.92", "126": "67.45", "121": "65.81", "127": "63.72",
    },
}

# Not applicable (na): agencies without administrative procedures, or without
# procedures that carry a fee. Never on the four named units.
NOT_APPLICABLE = {
    ("BDT", "6.2.1"): "Không có TTHC thuộc thẩm quyền giải quyết",
    ("BDT", "6.2.2"): "Không có TTHC thuộc thẩm quyền giải quyết",
    ("BDT", "6.2.3"): "Không có TTHC thuộc thẩm quyền giải quyết",
    ("BDT", "6.2.4"): "Không có TTHC thuộc thẩm quyền giải quyết",
    ("BDT", "6.2.5"): "Không có TTHC thuộc thẩm quyền giải quyết",
    ("BDT", "6.2.6"): "Không có TTHC thuộc thẩm quyền giải quyết",
    ("TTT", "6.2.6"): "Không có TTHC phát sinh phí, lệ phí",
    ("SNGV", "6.2.6"): "Không có TTHC phát sinh phí, lệ phí",
}

# Values written in a form the generator does not produce by itself: a ratio given as
# a plain percentage (the spec reads it as a percentage of the leaf's max).
OVERRIDES = {
    ("SKHCN", "5.1"): "100%",
}

# Missing (empty value, scores 0): weak units that did not report a figure.
MISSING = {
    ("BDT", "4.4"): "Chưa cung cấp số liệu",
    ("127", "7.6"): "Chưa cung cấp số liệu",
}

# Communes (xã, phường, thị trấn) per district, from shared/data/vn-admin/sonla-2024-communes.csv;
# the denominator of district indicator 3.3.
COMMUNES = {"116": 12, "118": 11, "119": 28, "120": 16, "121": 16, "122": 25,
            "123": 15, "124": 14, "125": 22, "126": 19, "127": 8, "128": 14}

# ---------------------------------------------------------------------------------
# Leaf profiles: how a quality q in [0, 1] becomes a realistic value
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:  # a percentage between lo (q = 0) and hi (q = 1)
    lo: float
    hi: float
    bias: float = 0.0


@dataclass(frozen=True)
class Ladder:  # typical values, worst to best; q picks one
    steps: tuple
    bias: float = 0.0


@dataclass(frozen=True)
class Flag:  # yes when q reaches the threshold
    threshold: float


@dataclass(frozen=True)
class Ratio:  # "a/b": b from another leaf, from the commune list, or from a ladder
    den_from: str | None = None
    den_communes: bool = False
    den_choices: tuple = ()


@dataclass(frozen=True)
class Relative:  # the leader's count is the group's largest
    leader: str
    top: int


@dataclass(frozen=True)
class Manual:  # appraiser's points, on a 0.25 grid
    pass


@dataclass(frozen=True)
class Absorb:  # appraiser's points, solved so that the unit reaches its target
    pass


PROFILES = {
    "provincial": {
        "1.1": Ladder(("other", "deputy", "deputy", "head", "head", "head")),
        "1.2": Ladder((1, 2, 2, 3, 4, 4, 5)),
        "1.3": Ratio(den_from="1.2"),
        "1.4": Relative(leader="STTTT", top=200),
        "1.5": Flag(0.35),
        "2.1": Flag(0.25),
        "2.2": Range(60, 100),
        "2.3": Flag(0.45),
        "2.4": Ladder((0.2, 0.3, 0.5, 0.6, 0.8, 1, 1.2, 1.5)),
        "2.5": Ladder((0, 1, 1, 2, 2, 3)),
        "3.1": Range(85, 100),
        "3.2": Flag(0.2),
        "3.3": Ladder((50, 100, 100, 150, 200, 300, 500)),
        "3.4": Range(10, 100),
        "3.5": Flag(0.3),
        "4.1": Flag(0.35),
        "4.2": Ladder((0, 1, 1, 2, 3, 4, 5)),
        "4.3": Range(45, 100),
        "4.4": Range(20, 90),
        "5.1": Ratio(den_choices=(1, 2, 2, 3, 4, 5)),
        "5.2": Flag(0.4),
        "5.3": Flag(0.5),
        "5.4": Ladder((6, 5, 4, 3, 2.5, 2, 1.5, 1, 0.5)),
        "5.5": Ladder((0, 1, 1, 2, 2, 3)),
        "5.6": Range(60, 100),
        "6.1.1": Range(88, 100, bias=0.1),
        "6.1.2": Range(70, 100),
        "6.1.3": Flag(0.5),
        "6.1.4": Range(40, 98),
        "6.2.1": Range(60, 100),
        "6.2.2": Range(40, 100),
        "6.2.3": Range(92, 100, bias=0.1),
        "6.2.4": Range(55, 100),
        "6.2.5": Ladder((52, 37, 24, 15, 9, 4, 2, 0)),
        "6.2.6": Range(25, 85),
        "6.3.1": Ladder((0, 1, 1, 2, 3, 4, 5)),
        "6.3.2": Ladder((0, 1, 2, 3, 4, 5, 6, 8)),
        "6.3.3": Flag(0.45),
        "6.4": Absorb(),
        "7.1": Range(60, 100),
        "7.2": Ladder((0, 1, 2, 2, 3, 4, 6)),
        "7.3": Range(75, 100),
        "7.4": Flag(0.5),
        "7.5": Manual(),
    },
    "district": {
        "1.1": Ladder(("other", "deputy", "deputy", "head", "head", "head", "head")),
        "1.2": Ladder((2, 2, 3, 4, 4, 5)),
        "1.3": Ratio(den_from="1.2"),
        "1.4": Relative(leader="116", top=150),
        "1.5": Flag(0.3),
        "1.6": Ladder((0, 1, 2, 2, 3, 4, 5)),
        "2.1": Flag(0.2),
        "2.2": Range(60, 100),
        "2.3": Ladder((0, 1, 1, 2, 2, 3)),
        "2.4": Ladder((0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.1, 1.3)),
        "3.1": Range(82, 100),
        "3.2": Range(55, 100),
        "3.3": Ratio(den_communes=True),
        "3.4": Flag(0.4),
        "3.5": Range(80, 100),
        "4.1": Flag(0.3),
        "4.2": Ladder((1, 1, 2, 3, 4, 5, 6)),
        "4.3": Range(50, 100),
        "4.4": Range(50, 100),
        "5.1": Ratio(den_choices=(1, 2, 2, 3, 4)),
        "5.2": Flag(0.5),
        "5.3": Ladder((5, 4, 3, 2.5, 2, 1.5, 1, 0.5)),
        "5.4": Range(60, 100),
        "5.5": Ladder((0, 1, 2, 3, 4, 5)),
        "6.1.1": Range(88, 100, bias=0.1),
        "6.1.2": Range(75, 100),
        "6.1.3": Flag(0.55),
        "6.1.4": Range(40, 95),
        "6.2.1": Range(60, 100),
        "6.2.2": Range(45, 100),
        "6.2.3": Range(93, 100, bias=0.1),
        "6.2.4": Range(55, 100),
        "6.2.5": Ladder((85, 62, 45, 30, 21, 12, 5, 0)),
        "6.2.6": Range(25, 85),
        "6.3.1": Ladder((0, 1, 2, 3, 4, 5)),
        "6.3.2": Range(60, 100),
        "6.3.3": Flag(0.5),
        "6.4": Absorb(),
        "7.1": Ladder((3, 5, 8, 10, 12, 15, 18, 20, 24)),
        "7.2": Range(25, 85),
        "7.3": Range(85, 100),
        "7.4": Range(90, 100, bias=0.1),
        "7.5": Flag(0.4),
        "7.6": Range(30, 95),
        "8.1": Range(35, 90),
        "8.2": Range(80, 100),
        "8.3": Range(35, 85),
        "8.4": Range(50, 100),
        "8.5": Range(60, 100),
        "8.6": Manual(),
    },
}

# Short notes, on some rows: {so} a document number, {cq} the unit's abbreviation in
# document numbers, {ngay} a date in 2024.
NOTES = {
    "1.1": "Quyết định số {so}/QĐ-{cq} ngày {ngay}",
    "1.2": "Thông báo kết luận các cuộc họp BCĐ",
    "1.4": "Thống kê trên Cổng thông tin điện tử",
    "1.5": "Báo cáo số {so}/BC-{cq} ngày {ngay}",
    "2.1": "Kế hoạch số {so}/KH-{cq} ngày {ngay}",
    "2.2": "Báo cáo số {so}/BC-{cq} ngày {ngay}",
    "2.3": "Quyết định số {so}/QĐ-{cq} ngày {ngay}",
    "2.5": "Văn bản số {so}/{cq} ngày {ngay}",
    "4.1": "Quyết định phân công số {so}/QĐ-{cq}",
    "4.2": "Báo cáo số {so}/BC-{cq} ngày {ngay}",
    "5.1": "Quyết định phê duyệt cấp độ số {so}/QĐ-{cq}",
    "5.2": "Xác nhận của Trung tâm Giám sát ATTT",
    "6.1.1": "Số liệu Hệ thống quản lý văn bản và điều hành",
    "6.2.1": "Số liệu Hệ thống thông tin giải quyết TTHC tỉnh",
    "6.4": "Hội đồng thẩm định chấm",
    "7.5": "Hội đồng thẩm định chấm",
    "8.6": "Hội đồng thẩm định chấm",
}

# ---------------------------------------------------------------------------------
# Reading the package
# ---------------------------------------------------------------------------------


@dataclass
class Indicator:
    code: str
    max: str  # decimal text, converted to the arithmetic in use
    rule: dict | None
    parent: str | None
    unit: str | None  # what the value measures: "%", "cuộc", ...
    children: list = field(default_factory=list)


@dataclass
class Framework:
    scale: str
    bands: list  # (code, min) sorted by min, highest first
    indicators: dict  # code -> Indicator, in file order
    top: list  # top-level codes

    def leaves(self):
        return [c for c, i in self.indicators.items() if not i.children]


def dec(x) -> str:
    """TOML number -> exact decimal text (2.5 -> '2.5', 4 -> '4')."""
    return repr(x) if isinstance(x, float) else str(x)


def load_framework(path: Path) -> Framework:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert doc.get("method", "points") == "points", f"{path}: only the points method is used here"
    indicators: dict[str, Indicator] = {}
    for item in doc["indicator"]:
        code = item["code"]
        assert code not in indicators, f"{path}: duplicate code {code}"
        parent = item.get("parent") or (code.rsplit(".", 1)[0] if "." in code else None)
        indicators[code] = Indicator(code, dec(item["max"]), item.get("rule"), parent, item.get("unit"))
        for lang in ("vi", "en"):
            assert item["name"].get(lang), f"{path}: {code} lacks a {lang} name"
    top = []
    for ind in indicators.values():
        if ind.parent is None:
            top.append(ind.code)
        else:
            assert ind.parent in indicators, f"{path}: unknown parent of {ind.code}"
            indicators[ind.parent].children.append(ind.code)
    bands = sorted(((b["code"], dec(b["min"])) for b in doc["band"]), key=lambda b: -Fraction(b[1]))
    assert Fraction(bands[-1][1]) <= 0, f"{path}: no band at 0 or below"
    fw = Framework(dec(doc["scale"]), bands, indicators, top)
    validate_framework(path, fw)
    return fw


def validate_framework(path: Path, fw: Framework) -> None:
    """The spec's checks, plus this package's own: children sum *exactly* to the parent."""
    F = Fraction
    assert sum(F(fw.indicators[c].max) for c in fw.top) == F(fw.scale), f"{path}: top level != scale"
    for ind in fw.indicators.values():
        M = F(ind.max)
        if ind.children:
            assert ind.rule is None, f"{path}: rule on parent {ind.code}"
            assert sum(F(fw.indicators[c].max) for c in ind.children) == M, f"{path}: children of {ind.code}"
            continue
        rule = ind.rule
        assert rule is not None, f"{path}: leaf {ind.code} without a rule"
        kind = rule["kind"]
        if kind == "linear":
            assert rule["from"] != rule["to"], f"{path}: {ind.code} from == to"
        elif kind == "steps":
            ts = [F(dec(t)) for t, _ in rule["steps"]]
            pairs = zip(ts, ts[1:])
            if rule.get("descending"):
                assert all(a < b for a, b in pairs), f"{path}: {ind.code} steps not increasing"
            else:
                assert all(a > b for a, b in pairs), f"{path}: {ind.code} steps not decreasing"
            assert all(0 <= F(dec(p)) <= M for _, p in rule["steps"]), f"{path}: {ind.code} step points"
        elif kind == "choice":
            assert all(0 <= F(dec(o["points"])) <= M for o in rule["options"]), f"{path}: {ind.code} option points"
        elif kind == "count":
            assert rule["cap"] > 0
        else:
            assert kind in ("boolean", "manual", "relative", "ratio"), f"{path}: {ind.code} rule {kind}"


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_package():
    assessment = tomllib.loads((PACKAGE / "assessment.toml").read_text(encoding="utf-8"))
    frameworks = {g["code"]: load_framework(PACKAGE / g["framework"]) for g in assessment["group"]}
    units = read_csv(PACKAGE / "units.csv")
    assert len({u["code"] for u in units}) == len(units), "units.csv: duplicate unit"
    assert all(u["group"] in frameworks for u in units), "units.csv: unknown group"
    return assessment, frameworks, units


# ---------------------------------------------------------------------------------
# Scoring: the points method of shared/spec/assessment-package.md
# `num` is Fraction (exact) or float (as an engine computes); numbers enter as text.
# ---------------------------------------------------------------------------------

TRUE_WORDS = {"1", "true", "yes", "có", "x"}
FALSE_WORDS = {"0", "false", "no", "không"}


def number_text(raw: str) -> str:
    """'97%' -> '97', '96,5' -> '96.5'."""
    text = raw.strip()
    if text.endswith("%"):
        text = text[:-1].strip()
    text = text.replace(",", ".")
    float(text)  # raises on anything that is not a number
    return text


def classify(raw: str | None) -> str:
    if raw is None or raw.strip() == "":
        return "missing"
    if raw.strip().lower() == "na":
        return "na"
    return "value"


def leaf_points(ind: Indicator, raw: str, group_max, num):
    """Points of one leaf for a present value (`group_max`: largest value, for `relative`)."""
    rule, M, kind = ind.rule, num(ind.max), ind.rule["kind"]
    text = raw.strip()
    if kind == "boolean":
        word = text.lower()
        assert word in TRUE_WORDS | FALSE_WORDS, f"{ind.code}: not a boolean: {raw!r}"
        return M if word in TRUE_WORDS else num("0")
    if kind == "choice":
        for option in rule["options"]:
            if option["code"] == text:
                return num(dec(option["points"]))
        raise AssertionError(f"{ind.code}: unknown option {raw!r}")
    if kind == "ratio":
        if "/" in text:
            a, b = (num(number_text(p)) for p in text.split("/"))
            if b == 0:
                assert a == 0, f"{ind.code}: {raw!r} divides by zero"
                return num("0")
            return M * min(a / b, num("1"))
        return M * min(num(number_text(text)) / num("100"), num("1"))
    v = num(number_text(text))
    if kind == "linear":
        lo, hi = num(dec(rule["from"])), num(dec(rule["to"]))
        frac = (v - lo) / (hi - lo)
        return M * min(max(frac, num("0")), num("1"))
    if kind == "steps":
        for t, p in rule["steps"]:
            t = num(dec(t))
            if (v <= t) if rule.get("descending") else (v >= t):
                return num(dec(p))
        return num("0")
    if kind == "count":
        assert v >= 0, f"{ind.code}: negative count"
        cap = num(dec(rule["cap"]))
        return M * min(v, cap) / cap
    if kind == "manual":
        assert 0 <= v <= M, f"{ind.code}: manual {raw!r} outside [0, {ind.max}]"
        return v
    if kind == "relative":
        return num("0") if group_max == 0 else M * v / group_max
    raise AssertionError(kind)


def group_maxima(fw: Framework, values_by_unit: dict, num) -> dict:
    """For every `relative` leaf: the largest value among the group's units having one."""
    result = {}
    for code in fw.leaves():
        if fw.indicators[code].rule["kind"] != "relative":
            continue
        present = [num(number_text(v[code])) for v in values_by_unit.values()
                   if classify(v.get(code)) == "value"]
        result[code] = max(present) if present else num("0")
    return result


def score_unit(fw: Framework, values: dict, maxima: dict, num):
    """-> (total, scores, missing, not_applicable); scores maps code -> points."""
    scores, missing, not_applicable = {}, [], []

    def visit(code):  # -> (points, applicable max) or None when not applicable
        ind = fw.indicators[code]
        if not ind.children:
            state = classify(values.get(code))
            if state == "na":
                not_applicable.append(code)
                return None
            if state == "missing":
                missing.append(code)
                points = num("0")
            else:
                points = leaf_points(ind, values[code], maxima.get(code), num)
            scores[code] = points
            return points, num(ind.max)
        parts = [(c, visit(c)) for c in ind.children]
        applicable = [r for _, r in parts if r is not None]
        if not applicable:
            return None
        child_max = sum((num(fw.indicators[c].max) for c, _ in parts), num("0"))
        child_app = sum((m for _, m in applicable), num("0"))
        app_max = num(ind.max) * (child_app / child_max)
        points = min(sum((p for p, _ in applicable), num("0")), app_max)
        scores[code] = points
        return points, app_max

    results = [r for r in (visit(c) for c in fw.top) if r is not None]
    total = sum((p for p, _ in results), num("0")) / sum((m for _, m in results), num("0")) * num(fw.scale)
    return total, scores, missing, not_applicable


def round_half_away(x: Fraction, places: int) -> Fraction:
    scaled = abs(Fraction(x)) * 10 ** places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole if x >= 0 else -whole, 10 ** places)


def band_of(fw: Framework, total: Fraction) -> str:
    return next(code for code, lo in fw.bands if total >= Fraction(lo))


def competition_ranks(rounded: dict) -> dict:
    return {u: 1 + sum(1 for w in rounded.values() if w > t) for u, t in rounded.items()}


# ---------------------------------------------------------------------------------
# Construction
# ---------------------------------------------------------------------------------


def noise(*parts) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def clamp(x, lo=0.0, hi=1.0):
    return max(lo, min(hi, x))


def decimal_text(x: Fraction) -> str:
    """Exact decimal text of a terminating fraction: 195/2 -> '97.5'."""
    for places in range(5):
        scaled = x * 10 ** places
        if scaled.denominator == 1:
            n = scaled.numerator
            if places == 0:
                return str(n)
            sign, n = ("-" if n < 0 else ""), abs(n)
            return f"{sign}{n // 10 ** places}.{n % 10 ** places:0{places}d}".rstrip("0").rstrip(".")
    raise ValueError(f"{x} is not a short decimal")


def points_grid(ind: Indicator) -> Fraction:
    """Step of a linear leaf's value that moves its points by exactly 0.01."""
    rule = ind.rule
    return Fraction(1, 100) * abs(Fraction(dec(rule["to"])) - Fraction(dec(rule["from"]))) / Fraction(ind.max)


def writing_style(unit: str) -> str:
    """Each reporter has a habit: '97%', '96,5' or '96.5'."""
    return ("percent", "comma", "dot")[int(noise("style", unit) * 3)]


def write_number(x: Fraction, unit: str, code: str, percent: bool) -> str:
    style = writing_style(unit)
    if noise("restyle", unit, code) < 0.15:  # people are not consistent
        style = ("percent", "comma", "dot")[int(noise("restyle-to", unit, code) * 3)]
    text = decimal_text(x)
    if style == "comma":
        text = text.replace(".", ",")
    if style == "percent" and percent:
        text += "%"
    return text


def draw_value(group: str, unit: str, ind: Indicator, q: float, drawn: dict) -> str:
    """A realistic raw value for a leaf, given the unit's quality q on it."""
    profile = PROFILES[group][ind.code]
    percent = ind.unit == "%"
    if isinstance(profile, Flag):
        return "có" if q >= profile.threshold else "không"
    if isinstance(profile, Ladder):
        value = profile.steps[min(len(profile.steps) - 1, int(q * len(profile.steps)))]
        if isinstance(value, str):
            return value
        return write_number(Fraction(str(value)), unit, ind.code, percent)
    if isinstance(profile, Range):
        lo, hi, grid = Fraction(str(profile.lo)), Fraction(str(profile.hi)), points_grid(ind)
        start = Fraction(dec(ind.rule["from"]))
        raw = lo + Fraction(q).limit_denominator(10 ** 6) * (hi - lo)
        value = min(start + round((raw - start) / grid) * grid, Fraction(100))
        return write_number(value, unit, ind.code, True)
    if isinstance(profile, Ratio):
        if profile.den_from:
            den = int(number_text(drawn[profile.den_from]))
        elif profile.den_communes:
            den = COMMUNES[unit]
        else:
            den = profile.den_choices[int(noise("den", unit, ind.code) * len(profile.den_choices))]
        short = round((1 - q) * den * 0.6)
        return f"{max(0, den - short)}/{den}"
    if isinstance(profile, Relative):
        if unit == profile.leader:
            return str(profile.top)
        return str(round(profile.top * clamp(0.12 + 0.8 * q, 0.05, 0.92)))
    if isinstance(profile, Manual):
        M = Fraction(ind.max)
        return write_number(Fraction(round(M * Fraction(q).limit_denominator(10 ** 6) * 4), 4), unit, ind.code, False)
    raise AssertionError(profile)


def construct_unit(group: str, fw: Framework, unit: str, target: Fraction, exact: bool) -> dict:
    """Values of one unit whose total is the target (exactly, when `exact`)."""
    F = Fraction
    strength = clamp((float(target) - 35) / 60, 0.05, 0.97)
    (absorber,) = [c for c in fw.leaves() if isinstance(PROFILES[group][c], Absorb)]
    M_abs = F(fw.indicators[absorber].max)
    relative_max = {c: F(p.top) for c, p in PROFILES[group].items() if isinstance(p, Relative)}
    shift = 0.0
    for attempt in range(2000):
        s = clamp(strength + shift, 0.0, 1.0)
        values = {}
        for code in fw.leaves():
            if (unit, code) in NOT_APPLICABLE:
                values[code] = "na"
            elif (unit, code) in MISSING:
                values[code] = ""
            elif (unit, code) in OVERRIDES:
                values[code] = OVERRIDES[(unit, code)]
            elif code != absorber:
                ind = fw.indicators[code]
                bias = getattr(PROFILES[group][code], "bias", 0.0)
                q = clamp(s + bias + 0.22 * (2 * noise(unit, code, attempt) - 1))
                values[code] = draw_value(group, unit, ind, q, values)
        # The total is linear in the absorber's points (no parent cap can bind, as
        # children sum exactly to their parent): find the points still needed.
        values[absorber] = "0"
        total0, _, _, na = score_unit(fw, values, relative_max, F)
        applicable = applicable_top(fw, na)
        needed = (target - total0) * applicable / F(fw.scale)
        points = round_half_away(needed, 2)
        if exact and points != needed:
            continue  # a named total must be hit exactly: draw again
        # the council's points must fit the unit's profile, not just fill the gap
        low, high = clamp(strength - 0.2, 0.1, 0.9) * float(M_abs), min(1.0, strength + 0.15) * float(M_abs)
        if points < low:
            shift -= 0.004
            continue
        if points > high:
            shift += 0.004
            continue
        values[absorber] = write_number(points, unit, absorber, False)
        return values
    raise RuntimeError(f"no values found for {unit}")  # never happens with the profiles above


def applicable_top(fw: Framework, not_applicable: list) -> Fraction:
    """Sum of the top-level applicable maxima, given the unit's not-applicable leaves."""
    F = Fraction
    na = set(not_applicable)

    def app(code):
        ind = fw.indicators[code]
        if not ind.children:
            return None if code in na else F(ind.max)
        parts = [app(c) for c in ind.children]
        got = [p for p in parts if p is not None]
        if not got:
            return None
        return F(ind.max) * sum(got) / sum(F(fw.indicators[c].max) for c in ind.children)

    return sum(a for a in (app(c) for c in fw.top) if a is not None)


def note_for(group: str, unit: str, code: str, value: str) -> str:
    if (unit, code) in NOT_APPLICABLE:
        return NOT_APPLICABLE[(unit, code)]
    if (unit, code) in MISSING:
        return MISSING[(unit, code)]
    template = NOTES.get(code)
    if template is None or value.strip().lower() in FALSE_WORDS | {"other"} or noise("note", unit, code) > 0.45:
        return ""
    cq = "UBND" if group == "district" else unit
    day, month = 1 + int(noise("day", unit, code) * 28), 1 + int(noise("month", unit, code) * 11)
    return template.format(so=10 + int(noise("so", unit, code) * 390), cq=cq, ngay=f"{day:02d}/{month:02d}/2024")


def construct(frameworks: dict, units: list) -> str:
    named = {u for g in ("provincial", "district") for u in (PUBLISHED[g]["first"][0], PUBLISHED[g]["second"][0])}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["unit", "indicator", "value", "note"])
    for u in units:
        group, code = u["group"], u["code"]
        fw = frameworks[group]
        assert set(PROFILES[group]) == set(fw.leaves()), f"profiles of {group} do not match the framework"
        values = construct_unit(group, fw, code, Fraction(TARGETS[group][code]), code in named)
        for leaf in fw.leaves():
            writer.writerow([code, leaf, values[leaf], note_for(group, code, leaf, values[leaf])])
    return out.getvalue()


# ---------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------


def verify(assessment: dict, frameworks: dict, units: list) -> None:
    rows = read_csv(PACKAGE / "values.csv")
    unit_group = {u["code"]: u["group"] for u in units}
    values: dict = {u["code"]: {} for u in units}
    for line, row in enumerate(rows, start=2):
        unit, code = row["unit"], row["indicator"]
        assert unit in unit_group, f"values.csv:{line}: unknown unit {unit}"
        assert code in frameworks[unit_group[unit]].indicators, f"values.csv:{line}: unknown indicator {code}"
        assert code not in values[unit], f"values.csv:{line}: duplicate row"
        values[unit][code] = row["value"]
    for unit, group in unit_group.items():
        assert set(values[unit]) == set(frameworks[group].leaves()), f"{unit}: not one row per leaf"

    published_named = {PUBLISHED[g][k][0]: PUBLISHED[g][k][1] for g in ("provincial", "district")
                       for k in ("first", "second")}
    group_means = []
    kinds = {ind.rule["kind"] + ("/descending" if ind.rule.get("descending") else "")
             for fw in frameworks.values() for ind in fw.indicators.values() if ind.rule}
    assert kinds == {"steps", "steps/descending", "linear", "ratio", "choice", "count",
                     "boolean", "manual", "relative"}, f"rule kinds used: {sorted(kinds)}"
    print(f"{'rank':>4}  {'unit':<8} {'total':>7}  band     {'unrounded':>22}")
    for g in assessment["group"]:
        group, fw = g["code"], frameworks[g["code"]]
        members = [u["code"] for u in units if u["group"] == group]
        exact, floats = {}, {}
        for num, store in ((Fraction, exact), (float, floats)):
            maxima = group_maxima(fw, {u: values[u] for u in members}, num)
            for u in members:
                store[u] = score_unit(fw, values[u], maxima, num)
        totals = {u: exact[u][0] for u in members}
        rounded = {u: round_half_away(t, 2) for u, t in totals.items()}
        ranks = competition_ranks(rounded)
        bands = {u: band_of(fw, rounded[u]) for u in members}
        mean = sum(totals.values()) / len(members)
        group_means.append(mean)

        print(f"-- {group}: {g['name']['en']}")
        for u in sorted(members, key=lambda u: (ranks[u], u)):
            flags = ""
            if exact[u][2]:
                flags += f"  missing={','.join(exact[u][2])}"
            if exact[u][3]:
                flags += f"  na={','.join(exact[u][3])}"
            print(f"{ranks[u]:>4}  {u:<8} {decimal_text(rounded[u]):>7}  {bands[u]:<8} {float(totals[u]):>22.15f}{flags}")
        counts = {code: sum(1 for b in bands.values() if b == code) for code, _ in fw.bands}
        print(f"     mean {float(mean):.6f} -> {decimal_text(round_half_away(mean, 1))}; bands {counts}")

        # --- the published figures
        pub = PUBLISHED[group]
        assert round_half_away(mean, 1) == Fraction(pub["mean"]), f"{group}: mean {float(mean)}"
        assert counts == pub["bands"], f"{group}: band counts {counts}"
        for place, key in ((1, "first"), (2, "second")):
            unit, figure = pub[key]
            assert ranks[unit] == place and rounded[unit] == Fraction(figure), f"{group}: {unit}"
            assert totals[unit] == Fraction(figure), f"{group}: {unit} not exactly {figure}"
            assert abs(floats[unit][0] - float(figure)) < 1e-9, f"{group}: {unit} float total"
            assert not exact[unit][2] and not exact[unit][3], f"{unit}: named unit with missing/na"
        # --- robustness: no ties, no total near a band threshold, a named total or a rounding midpoint
        assert len(set(rounded.values())) == len(members), f"{group}: tie at 2 decimals"
        thresholds = [Fraction(lo) for _, lo in fw.bands if Fraction(lo) > 0]
        for u in members:
            t = totals[u]
            assert abs(floats[u][0] - float(t)) < 1e-9, f"{u}: float and exact totals differ"
            assert round_half_away(Fraction(floats[u][0]), 2) == rounded[u], f"{u}: float rounds differently"
            frac = (t * 100) - int(t * 100)
            assert abs(frac - Fraction(1, 2)) > Fraction(1, 10 ** 6), f"{u}: total on a rounding midpoint"
            if u in published_named:
                continue
            named_here = [Fraction(pub[k][1]) for k in ("first", "second")]
            near = [x for x in thresholds + named_here if abs(t - x) < Fraction(3, 10)]
            assert not near, f"{u}: total {float(t)} within 0.3 of {near}"
            # parent points never exceed the parent's (applicable) max, by construction
        for u in members:
            for code, ind in fw.indicators.items():
                if ind.children and code in exact[u][1]:
                    assert exact[u][1][code] <= Fraction(ind.max)

    assert assessment["overall"] == "mean_of_groups"
    overall = sum(group_means) / len(group_means)
    print(f"-- overall (mean of the group means): {float(overall):.6f} -> {decimal_text(round_half_away(overall, 1))}, "
          f"band {band_of(frameworks[assessment['group'][0]['code']], round_half_away(overall, 2))}")
    assert round_half_away(overall, 1) == Fraction(PUBLISHED["overall_mean"]), "overall mean"
    print("OK: every published figure is reproduced.")


def main(argv: list[str]) -> int:
    assessment, frameworks, units = load_package()
    text = construct(frameworks, units)
    target = PACKAGE / "values.csv"
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            print("values.csv is not what construct_values.py produces", file=sys.stderr)
            return 1
        print("values.csv is up to date.")
    else:
        target.write_text(text, encoding="utf-8", newline="")
        print(f"wrote {target}")
    verify(assessment, frameworks, units)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
