"""Vega-Lite specifications of the market view (data from :mod:`simcontract.appmarket`).

A specification depends on the language, the projector mode, the view's mode and its
district columns; the year's actors and contracts come as datasets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
from matplotlib.colors import to_hex

from simcontract import i18n
from simcontract.appcharts import (
    LEGEND_LABEL_MIN,
    NUMBER_FORMAT,
    STACKED_LEGENDS,
    finish_spec,
    sizes,
)
from simcontract.appmarket import NGO_ROW, colours
from simcontract.plots.style import PURCHASER_COLOURS, PURCHASER_MARKERS, tie_cmap

GROUP_COLUMNS = f"width < {2 * 260} ? 2 : 3"
"""Columns of the legend of NGO origins and purchaser kinds (a Vega expression): two
in a narrow chart (the A/B layout's halves), so that their labels show whole."""

GROUP_SYMBOL = 28
"""Room a legend entry of a group needs beside its label: symbol and gaps."""

VEGA_SHAPES = {"s": "square", "D": "diamond", "o": "circle"}
"""Vega's names of the markers of :data:`simcontract.plots.style.PURCHASER_MARKERS`."""


def _tie_colour(lang: str) -> alt.Color:
    cmap = tie_cmap()
    return alt.Color(
        "tie:Q",
        scale=alt.Scale(domain=[0, 1], range=[to_hex(cmap(v)) for v in (0.0, 0.5, 1.0)]),
        legend=alt.Legend(
            title=i18n.text("figures.tie_label", lang),
            orient="bottom",
            direction="horizontal",
            gradientLength=120,
            titleLimit=400,
        ),
    )


def _axes(columns: list[int], lang: str, bottom: float = -0.05) -> tuple[alt.X, alt.Y]:
    prefix, _, suffix = i18n.text("app.district", lang, n="\0").partition("\0")
    label = f"'{prefix}' + format(datum.value + 0.5 + {columns[0]}, 'd') + '{suffix}'"
    x = alt.X(
        "x:Q",
        title=None,
        scale=alt.Scale(domain=[0, len(columns)], nice=False, zero=False),
        axis=alt.Axis(
            values=[k + 0.5 for k in range(len(columns))] if len(columns) <= 20 else [],
            labelExpr=label,
            grid=False,
            ticks=False,
            domain=False,
        ),
    )
    up, down = i18n.text("app.purchasers", lang), i18n.text("app.ngos", lang)
    y = alt.Y(
        "y:Q",
        title=None,
        scale=alt.Scale(domain=[bottom, 1.1], nice=False),
        axis=alt.Axis(
            values=[1.0, NGO_ROW],
            labelExpr=f"datum.value > 0.7 ? '{up}' : '{down}'",
            grid=False,
            ticks=False,
            domain=False,
        ),
    )
    return x, y


def _groups(lang: str, purchasers: tuple[str, str] | None = None) -> tuple[alt.Color, alt.Shape]:
    """Colours and shapes of NGO origins and purchaser kinds, or of all purchasers in one
    colour and shape, in one legend: NGOs are circles, purchasers their kind's marker."""
    names, hexes = colours(lang)
    kinds = len(names) - len(PURCHASER_MARKERS)
    shapes = ["circle"] * kinds + [VEGA_SHAPES[PURCHASER_MARKERS[k]] for k in PURCHASER_COLOURS]
    if purchasers is not None:
        names, hexes = [*names[:kinds], purchasers[0]], [*hexes[:kinds], purchasers[1]]
        shapes = [*shapes[:kinds], "square"]
    legend = alt.Legend(
        orient="bottom",
        title=None,
        columns=alt.ExprRef(GROUP_COLUMNS),
        symbolStrokeWidth=0,
        # A column's share of the chart's width, less its symbol and gap.
        labelLimit=alt.ExprRef(
            f"max({LEGEND_LABEL_MIN}, width / ({GROUP_COLUMNS}) - {GROUP_SYMBOL})"
        ),
    )
    colour = alt.Color("group:N", scale=alt.Scale(domain=names, range=hexes), legend=legend)
    shape = alt.Shape("group:N", scale=alt.Scale(domain=names, range=shapes), legend=legend)
    return colour, shape


def _tips(lang: str, fields: Sequence[tuple[str, str, str]]) -> list[alt.Tooltip]:
    return [
        alt.Tooltip(
            f"{name}:{kind}",
            title=i18n.text(f"app.{key}", lang),
            **({"format": ",.0f" if name == "reserves" else NUMBER_FORMAT} if kind == "Q" else {}),
        )
        for name, kind, key in fields
    ]


def _market_chart(
    links: alt.Chart,
    ngos: alt.Chart,
    purchasers: alt.Chart,
    height: float,
    projector: bool,
    lang: str,
) -> dict[str, Any]:
    """Links under the actors; the ties' colour scale apart from the groups' (shared by
    NGOs and purchasers), and every size scale apart."""
    actors = alt.layer(ngos, purchasers).resolve_scale(size="independent")
    chart = alt.layer(links, actors).resolve_scale(
        color="independent", shape="independent", size="independent"
    )
    spec = finish_spec(chart.properties(width="container", height=height), projector, lang)
    spec["config"]["legend"]["layout"] = STACKED_LEGENDS
    return spec


NGO_TIPS = (
    ("name", "N", "field_name"),
    ("group", "N", "field_origin"),
    ("status", "N", "field_status"),
    ("reserves", "Q", "field_reserves"),
    ("staff", "Q", "field_staff"),
    ("contracts", "Q", "field_contracts"),
    ("reputation", "Q", "field_reputation"),
    ("dependence", "Q", "field_dependence"),
    ("entered", "Q", "field_entered"),
)
"""What hovering an NGO shows: field, Vega-Lite type, catalogue key of its title."""

PURCHASER_TIPS = (
    ("name", "N", "field_name"),
    ("group", "N", "field_kind"),
    ("sector", "N", "field_sector"),
    ("slots", "Q", "field_slots"),
    ("running", "Q", "field_running"),
    ("official", "Q", "field_official_years"),
    ("mode", "N", "field_mode"),
)
"""What hovering a purchaser shows."""


def _detail_links(x: alt.X, y: alt.Y, lang: str, projector: bool) -> alt.Chart:
    """One link per funded slot: solid while the contract runs on, dashed once ended."""
    return (
        alt.Chart(alt.NamedData("links"))
        .mark_rule()
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            color=_tie_colour(lang),
            strokeDash=alt.StrokeDash(
                "ended:N",
                scale=alt.Scale(domain=[False, True], range=[[1, 0], [4, 3]]),
                legend=None,
            ),
            strokeWidth=alt.value(2.4 if projector else 1.6),
            opacity=alt.value(0.8),
        )
    )


def _detail_marks(
    data: str, size: alt.Size, lang: str, tips: Sequence[tuple[str, str, str]]
) -> alt.Chart:
    """One kind of actor of the detail view: filled marks of its group's colour and
    shape, sized by ``size``."""
    colour, shape = _groups(lang)
    return (
        alt.Chart(alt.NamedData(data))
        .mark_point(filled=True, stroke="white", strokeWidth=0.6, opacity=1)
        .encode(x="x:Q", y="y:Q", color=colour, shape=shape, size=size, tooltip=_tips(lang, tips))
    )


def _detail_ngos(lang: str, scale: float, reserves: float) -> alt.Chart:
    """NGOs by origin, larger with more reserves (full size at twice ``reserves``)."""
    size = alt.Size(
        "reserves:Q",
        scale=alt.Scale(domain=[0, 2 * reserves], range=[12 * scale, 170 * scale], clamp=True),
        legend=None,
    )
    return _detail_marks("ngos", size, lang, NGO_TIPS)


def _detail_purchasers(lang: str, scale: float) -> alt.Chart:
    """Purchasers by kind (squares: bureaux, diamonds: mass organisations)."""
    size = alt.Size("slots:Q", scale=alt.Scale(range=[60 * scale, 160 * scale]), legend=None)
    return _detail_marks("purchasers", size, lang, PURCHASER_TIPS)


def _district_marks(
    data: str,
    size: str,
    sizes: tuple[float, float],
    groups: tuple[alt.Color, alt.Shape],
    tooltip: list[alt.Tooltip],
) -> alt.Chart:
    """One kind of actor of the district view: filled marks of its group's colour and
    shape whose area runs over ``sizes`` with the field ``size``."""
    return (
        alt.Chart(alt.NamedData(data))
        .mark_point(filled=True, opacity=0.95, stroke="white", strokeWidth=0.6)
        .encode(
            x="x:Q",
            y="y:Q",
            color=groups[0],
            shape=groups[1],
            size=alt.Size(f"{size}:Q", scale=alt.Scale(range=list(sizes)), legend=None),
            tooltip=tooltip,
        )
    )


def detail_spec(columns: list[int], lang: str, projector: bool, reserves: float) -> dict[str, Any]:
    """Each NGO and contract; ``reserves`` is the reserves drawn at full size."""
    x, y = _axes(columns, lang)
    scale = 1.8 if projector else 1.0
    links = _detail_links(x, y, lang, projector)
    ngos = _detail_ngos(lang, scale, reserves)
    purchasers = _detail_purchasers(lang, scale)
    height = 1.9 * sizes(projector)["height"]
    return _market_chart(links, ngos, purchasers, height, projector, lang)


def district_spec(columns: list[int], lang: str, projector: bool) -> dict[str, Any]:
    """The market summed by district; clicking a district's mark drills into it."""
    size = sizes(projector)
    x, y = _axes(columns, lang, bottom=0.2)
    scale = 1.8 if projector else 1.0
    links = (
        alt.Chart(alt.NamedData("links"))
        .mark_rule(opacity=0.75)
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            color=_tie_colour(lang),
            strokeWidth=alt.StrokeWidth("count:Q", scale=alt.Scale(range=[1, 9]), legend=None),
            tooltip=_tips(lang, [("count", "Q", "field_contracts"), ("tie", "Q", "field_tie")]),
        )
    )
    purchaser_name = i18n.text("app.purchasers", lang)
    groups = _groups(lang, (purchaser_name, "#000000"))
    ngo_tips = [
        ("name", "N", "field_district"),
        ("group", "N", "field_origin"),
        ("count", "Q", "field_count"),
        ("contracts", "Q", "field_contracts"),
    ]
    area = (30 * scale, 700 * scale)
    ngos = _district_marks("ngos", "count", area, groups, _tips(lang, ngo_tips))
    purchaser_tips = [
        ("name", "N", "field_district"),
        ("count", "Q", "field_count"),
        ("slots", "Q", "field_slots"),
        ("running", "Q", "field_running"),
    ]
    area = (60 * scale, 700 * scale)
    purchasers = _district_marks("purchasers", "slots", area, groups, _tips(lang, purchaser_tips))
    return _market_chart(links, ngos, purchasers, 1.4 * size["height"], projector, lang)
