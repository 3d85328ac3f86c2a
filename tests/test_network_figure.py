"""The contract-network figure: which run it shows and that its title says so, what it
says when no contract is in force, and a page it fits for markets of the built-in
scenarios' sizes, in English and Chinese. Drawn from made-up results (and one tiny
run), read through the matplotlib artists the figure builds."""

from __future__ import annotations

import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from test_figure_review import overlapping

from simcontract import ContractingModel, i18n, load_scenario, plots
from simcontract.plots import network, style

ORIGINS = list(plots.ORIGIN_COLOURS)
YEARS = 6


def market(
    point: int,
    rep: int,
    *,
    ngos: int,
    holders: int,
    purchasers: int,
    contract_years: int = 3,
    scenario: str = "baseline",
    city: int = 0,
) -> tuple[dict, list[dict], list[dict]]:
    """One run's row, NGO rows and contract rows: ``ngos`` active NGOs of every origin,
    ``holders`` of them holding contracts from ``purchasers`` purchasers (a fifth of
    them mass organisations), a few holding two. As in the built-in markets, most
    holders are agencies and specialists, with one community and one grassroots group
    (so two groups of one NGO drawn stand next to each other)."""
    ids = {"scenario": scenario, "point": point, "replication": rep, "seed": 100 * point + rep}
    run = {**ids, "years": YEARS, "contract_years": contract_years}
    ngo_rows = [
        {
            **ids,
            "ngo": n,
            "city": city,
            "origin": ORIGINS[n % len(ORIGINS)],
            "entry_year": 0,
            "exit_year": np.nan,
            "active": True,
        }
        for n in range(ngos)
    ]
    lone = [n for n in (2, 3) if n < ngos]  # origins 2 and 3: community, grassroots
    many = [n for n in range(ngos) if n % len(ORIGINS) < 2]
    held = (many[: max(0, holders - len(lone))] + lone)[:holders]
    pairs = [(i % purchasers, n) for i, n in enumerate(held)]
    pairs += [((i + 1) % purchasers, n) for i, n in enumerate(held) if i % 4 == 0]
    contract_rows = [
        {
            **ids,
            "purchaser": 1000 + p,
            "purchaser_kind": "mass_org" if p % 5 == 4 else "bureau",
            "city": city,
            "ngo": n,
            "price": 10.0,
            "start": YEARS - 1,
            "end": YEARS + 1,
            "tie": (n % 10) / 10,
        }
        for p, n in pairs
    ]
    return run, ngo_rows, contract_rows


def results(
    *markets: tuple[dict, list[dict], list[dict]], design: object = None
) -> SimpleNamespace:
    return SimpleNamespace(
        runs=pd.DataFrame([m[0] for m in markets]),
        ngos=pd.DataFrame([row for m in markets for row in m[1]]),
        contracts=pd.DataFrame([row for m in markets for row in m[2]]),
        design=design,
    )


def _empty(point: int, rep: int) -> tuple[dict, list[dict], list[dict]]:
    """A run of one-year contracts: 40 active NGOs, no contract in force at its end."""
    run, ngo_rows, _ = market(point, rep, ngos=40, holders=0, purchasers=1, contract_years=1)
    return run, ngo_rows, []


def one_year_then_three() -> SimpleNamespace:
    """A sweep of contract length (1 and 3 years), two replications: the one-year runs
    end with no contract in force."""
    size = {"ngos": 40, "holders": 12, "purchasers": 6}
    return results(
        _empty(0, 0),
        _empty(0, 1),
        market(1, 0, **size),
        market(1, 1, **{**size, "holders": 9}),
        design=SimpleNamespace(parameters=["contract_years"]),
    )


def lines_of(fig: Figure) -> list[LineCollection]:
    return [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]


def texts_of(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


# --------------------------------------------------------------------------- which run
def test_default_run_is_the_first_with_contracts_in_force_and_the_title_says_so() -> None:
    sweep = one_year_then_three()
    fig = plots.contract_network(sweep)
    (lines,) = lines_of(fig)
    shown = sweep.contracts[(sweep.contracts.point == 1) & (sweep.contracts.replication == 0)]
    assert len(lines.get_segments()) == len(shown.drop_duplicates(["purchaser", "ngo"]))
    title = fig.get_suptitle()
    assert title.startswith("Contracts in force, baseline sweep, point 1: contract_years=3")
    assert "replication 0, end of year 6\n" in title  # one city: not named
    assert title.endswith("(the first run with contracts in force at its end)")
    chinese = plots.contract_network(sweep, lang="zh_CN").get_suptitle()
    assert chinese.startswith("在执行的合同（基准城市的参数扫描，设计点 1）：")
    assert chinese.endswith("（运行结束时有在执行合同的第一次运行）")
    # The first run when it holds contracts, with no rule to state.
    comparison = results(market(0, 0, ngos=20, holders=5, purchasers=3))
    title = plots.contract_network(comparison).get_suptitle()
    assert title == "Contracts in force: baseline, replication 0, end of year 6"


# --------------------------------------------------------------------------- nothing to draw
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_run_without_contracts_in_force_says_so(lang: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the fonts would warn
        fig = plots.contract_network(one_year_then_three(), run=(0, 1), lang=lang)
        fig.draw_without_rendering()
    assert not lines_of(fig)
    (said,) = texts_of(fig)
    said = said.replace("\n", "" if lang == "zh_CN" else " ")
    none = i18n.text("figures.network_none", lang)
    why = i18n.text("figures.network_none_why", lang, ngos=40)
    assert said == none + ("" if lang == "zh_CN" else " ") + why
    point = "设计点 0" if lang == "zh_CN" else "point 0"
    assert point in fig.get_suptitle()
    assert fig.get_size_inches()[1] < 3


def test_no_run_with_contracts_in_the_city_shown_is_said() -> None:
    elsewhere = results(market(0, 0, ngos=10, holders=4, purchasers=2, city=1))
    elsewhere.ngos = pd.concat(
        [elsewhere.ngos, elsewhere.ngos.assign(city=0, ngo=elsewhere.ngos["ngo"] + 100)]
    )
    fig = plots.contract_network(elsewhere, city=0)
    (said,) = texts_of(fig)
    assert said.replace("\n", " ").startswith(
        "No contract is in force at the end of any run of these results"
    )
    assert "city 0" in fig.get_suptitle()
    assert lines_of(plots.contract_network(elsewhere, city=1))


def test_a_model_whose_one_year_contracts_ended_says_so() -> None:
    scenario = load_scenario("baseline").replace(
        years=2, contract_years=1, initial_ngos=8, n_bureaux=3
    )
    model = ContractingModel(scenario, rng=1).run()
    assert model.contract_table().empty
    fig = plots.contract_network(model)
    (said,) = texts_of(fig)
    assert said.startswith("No contract is in force at the end of this run")
    assert fig.get_suptitle() == "Contracts in force: baseline, end of year 2"


# --------------------------------------------------------------------------- page
SIZES = {  # the built-in markets at their default sizes, at the end of a run
    "baseline": {"ngos": 146, "holders": 52, "purchasers": 27},
    "beijing_piecemeal": {"ngos": 262, "holders": 37, "purchasers": 15},
    "guangzhou_ifsc": {"ngos": 1510, "holders": 65, "purchasers": 20},
    "luoshan_delegation": {"ngos": 1, "holders": 1, "purchasers": 1},
}


def _drawn_ngos(fig: Figure) -> list[PathCollection]:
    """The marker sets of NGOs (right column, x = 1)."""
    sets = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    return [c for c in sets if len(c.get_offsets()) and c.get_offsets()[0][0] == 1.0]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_built_in_market_fits_a_page_and_stays_readable(lang: str) -> None:
    for name in SIZES:
        fits_a_page(name, lang)


def fits_a_page(name: str, lang: str) -> None:
    """The network of a market of ``name``'s size fits a page, no text runs into
    another, every active NGO is drawn or counted, and drawn NGOs stand apart."""
    size = SIZES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.contract_network(results(market(0, 0, **size, scenario=name)), lang=lang)
        fig.draw_without_rendering()
    box = fig.get_tightbbox()  # what savefig(bbox="tight") keeps, in inches
    assert box.height <= 9.1, f"{name}: {box.height:.2f} in tall"  # a page less its caption
    assert box.width <= style.PAGE_WIDTH + 0.1, f"{name}: {box.width:.2f} in wide"
    ax = fig.axes[0]
    texts = [*ax.texts, *ax.get_legend().get_texts(), *fig.axes[1].texts, fig.axes[1].yaxis.label]
    assert not overlapping(texts), name
    markers = _drawn_ngos(fig)
    drawn = sum(len(c.get_offsets()) for c in markers)
    left_out = sum(
        int(n)
        for t in texts_of(fig)
        for n in re.findall(r"(\d+) (?:without a contract|家无合同)", t.replace("其中 ", ""))
    )
    assert drawn + left_out == size["ngos"], name
    assert drawn >= size["holders"]
    ys = np.sort(np.concatenate([ax.transData.transform(c.get_offsets())[:, 1] for c in markers]))
    if len(ys) > 1:
        gap = np.diff(ys).min() / fig.dpi  # inches
        smallest = min(float(np.sqrt(c.get_sizes().min())) for c in markers) / 72
        assert gap >= min(network.MIN_NODE_STEP, network.NODE_STEP) * 0.95
        assert smallest <= gap  # the smallest nodes do not touch their neighbours


def test_a_market_that_fits_draws_every_ngo_and_says_nothing_is_left_out() -> None:
    fig = plots.contract_network(results(market(0, 0, **SIZES["baseline"])))
    drawn = sum(len(c.get_offsets()) for c in _drawn_ngos(fig))
    assert drawn == SIZES["baseline"]["ngos"]
    assert not any("not drawn" in t for t in texts_of(fig))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "no contract" in legend
    assert fig.get_size_inches()[1] <= style.PAGE_HEIGHT


def test_a_batch_whose_runs_all_end_without_contracts_gets_a_figure_saying_so() -> None:
    """The stored contract table is then empty (but has its columns): the standard
    figures still include the network, which says why there is nothing to draw."""
    from simcontract.plots import export

    columns = list(market(0, 0, ngos=4, holders=2, purchasers=1)[2][0])
    batch = results(_empty(0, 0), _empty(0, 1))
    batch.contracts = pd.DataFrame(columns=columns)
    figures = dict(export._figures(batch, ["ngo_survival"]))
    fig = figures["network"]()
    assert not lines_of(fig)
    (said,) = texts_of(fig)
    assert said.replace("\n", " ").startswith(
        "No contract is in force at the end of any run of these results"
    )


def test_a_one_city_market_is_not_named_by_its_city() -> None:
    model = ContractingModel("baseline", rng=1, years=4).run()
    assert plots.contract_network(model, city=0).get_suptitle() == (
        "Contracts in force: baseline, end of year 4"
    )
    two = ContractingModel(load_scenario("baseline").replace(n_cities=2, years=4), rng=1).run()
    assert plots.contract_network(two, city=1).get_suptitle().endswith("city 1")


def test_a_chinese_title_names_a_built_in_market_by_its_title() -> None:
    model = ContractingModel("baseline", rng=1, years=4).run()
    title = plots.contract_network(model, lang="zh_CN").get_suptitle()
    assert i18n.scenario_title("baseline", "zh_CN") in title and "baseline" not in title
