"""The language catalogue: complete for the registries as they are now, consistent
between languages, used by the figures; and the one palette, told apart by colour-blind
readers."""

from __future__ import annotations

import itertools
import re
import string
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.colors import to_rgb

from simcontract import Scenario, compare, i18n, load_scenario, plots, sweep
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS, Parameter
from simcontract.plots import style
from simcontract.scenario import builtin_names

LANGUAGES = list(i18n.LANGUAGES)


# --------------------------------------------------------------------------- completeness
@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_covers_every_parameter_outcome_and_scenario(lang: str) -> None:
    """A new or renamed parameter, outcome or scenario needs its entries: add them to
    simcontract/locales/<lang>.toml (the list says which)."""
    gaps = i18n.missing(lang, builtin_names())
    assert not gaps, f"{lang}.toml lacks {len(gaps)} entries: " + ", ".join(gaps)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_nothing_the_registries_dropped(lang: str) -> None:
    """A parameter renamed or removed: move or delete its entries in <lang>.toml."""
    assert i18n.stale(lang) == []


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_translations_keep_the_placeholders(lang: str) -> None:
    assert i18n.mismatched_placeholders(lang) == []


def test_chinese_texts_are_translated() -> None:
    assert i18n.untranslated("zh_CN") == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_formats(lang: str) -> None:
    """Each text fills with dummy values: no stray brace breaks the page, and none is
    left in what the reader sees (a text without fields is shown as written)."""
    english = i18n.catalogue("en")
    for key in sorted(i18n._keys(english)):
        template = i18n.text(key, lang)
        fields = {f: 1 for _t, f, _s, _c in string.Formatter().parse(template) if f}
        shown = i18n.text(key, lang, **fields)
        assert "{" not in shown and "}" not in shown, (key, shown)


def test_a_parameter_without_a_translation_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parameter added to the registry shows in words until translated, and the
    completeness check names what is missing."""
    extra = Parameter(
        "campaign_days", "int", 10, "Days of campaigns.", "assumption", low=0, high=99
    )
    monkeypatch.setattr(i18n, "PARAMETERS", {**PARAMETERS, "campaign_days": extra})
    assert i18n.parameter_label("campaign_days", "zh_CN") == "Campaign days"
    assert i18n.parameter_meaning("campaign_days", "zh_CN") == "Days of campaigns."
    assert "parameters.campaign_days.label" in i18n.missing("en")
    assert "parameters.campaign_days.meaning" in i18n.missing("zh_CN")


def test_every_exit_reason_the_model_gives_reads_in_both_languages() -> None:
    """The app's inspector and the classroom show an NGO's exit reason from the
    catalogue; a reason without an entry showed its raw key (``exit_reasons.closed``)."""
    from simcontract import ContractingModel

    given = set(re.findall(r'exit_ngos\(.*?, "(\w+)"\)', _source_text()))
    model = ContractingModel(load_scenario("beijing_piecemeal").replace(years=8), rng=3)
    while model.running:
        model.step()
    seen = set(model.ngo_table()["exit_reason"]) - {""}
    assert seen and seen <= given, (seen, given)
    for lang in i18n.LANGUAGES:
        for reason in given:
            key = f"exit_reasons.{reason}"
            assert i18n.text(key, lang) != key, (lang, reason)


def _source_text() -> str:
    root = Path(__file__).resolve().parent.parent / "simcontract"
    return "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))


def test_language_tags() -> None:
    assert i18n.resolve("zh") == i18n.resolve("zh-CN") == i18n.resolve("zh_Hans") == "zh_CN"
    assert i18n.resolve("en-GB") == "en"
    assert i18n.html_lang("zh_CN") == "zh-CN"
    assert i18n.from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh_CN"
    assert i18n.from_accept_language("fr-FR,en;q=0.5") == "en"
    assert i18n.from_accept_language("") == "en"
    # Without a catalogue of its own, a Chinese variant reads Chinese rather than English.
    assert i18n.from_accept_language("zh-TW") == "zh_CN"
    assert i18n.from_accept_language("zh-HK,en;q=0.5") == "zh_CN"
    assert i18n.from_accept_language("fr,zh-CN;q=0.3") == "zh_CN"
    with pytest.raises(ValueError, match="languages are"):
        i18n.resolve("fr")


def test_terms_of_the_field() -> None:
    """The established Chinese terms, the same wherever they appear."""
    zh = "zh_CN"
    assert i18n.choice_label("tendering", "open", zh) == "公开招标"
    assert i18n.choice_label("tendering", "direct", zh) == "直接委托"
    assert i18n.choice_label("registration", "direct", zh) == "直接登记"
    assert "双重管理" in i18n.choice_label("registration", "dual_sponsor", zh)
    assert i18n.purchaser_name("mass_org", zh) == "群团组织"
    assert i18n.origin_name("general", zh) == "社工机构"
    assert i18n.parameter_label("match_funding", zh) == "配套资金比例"
    assert "第三方评估" in i18n.parameter_meaning("n_evaluators", zh)
    assert "家庭综合服务中心" in i18n.scenario_title("guangzhou_ifsc", zh)
    assert "社会组织" in i18n.outcome_label("active_ngos", zh)


# --------------------------------------------------------------------------- patterns
def test_every_validation_pattern_reads_in_chinese() -> None:
    """Each pattern's claim, arm labels, mechanism, construction note and the reason for
    its minimum effect (the comment in patterns.toml) has a Chinese text, in the
    catalogue, not English; English comes from patterns.toml as it is."""
    from simcontract.experiment.validation import load_calibration, load_patterns

    sources = i18n.pattern_sources()
    patterns = load_patterns()
    assert list(sources) == [p.id for p in patterns]
    for p in patterns:
        mechanism = p.mechanism.label if p.mechanism else None
        english = {"claim": p.claim, "arm_a": p.a.label, "arm_b": p.b.label}
        english |= {"mechanism": mechanism, "construction": p.construction or None}
        assert {k: v for k, v in english.items() if v} == {
            k: v for k, v in sources[p.id].items() if k != "why"
        }
        assert sources[p.id]["why"], p.id  # every minimum effect says why it matters
        for field, text in sources[p.id].items():
            zh = i18n.pattern_text(p.id, field, text, "zh_CN")
            assert zh != text and re.search(r"[\u4e00-\u9fff]", zh), (p.id, field)
            assert i18n.pattern_text(p.id, field, text, "en") == text
            assert i18n.pattern_text(p.id, field, text, "zh") == zh
    assert i18n.pattern_text("2a", "arm_b", "open", "zh_CN") == "公开招标"
    assert i18n.pattern_text("2a", "arm_a", "selective", "zh_CN") == "邀请招标（短名单）"
    assert i18n.pattern_text("3b", "arm_b", "direct award", "zh_CN") == "直接委托"
    assert "群团孵化的专业机构" in i18n.pattern_text(
        "5", "arm_b", "mass organisations, a few specialists", "zh_CN"
    )
    # A pattern of one's own that reuses an id keeps its own words.
    assert i18n.pattern_text("2a", "arm_b", "open tendering", "zh_CN") == "open tendering"
    figures = load_calibration()
    assert len({(t.outcome, t.year) for t in figures}) == len(figures)  # the catalogue's keys
    for t in figures:
        zh = i18n.calibration_figure(t.outcome, t.year, t.figure, "zh_CN")
        assert zh != t.figure and re.search(r"[\u4e00-\u9fff]", zh), t.figure
        assert i18n.calibration_figure(t.outcome, t.year, t.figure, "en") == t.figure


def test_a_pattern_without_a_chinese_text_fails_the_completeness_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pattern added to patterns.toml needs its texts in zh_CN.toml (English needs
    none: it comes from patterns.toml); one removed leaves stale texts behind."""
    sources = i18n.pattern_sources()
    new = {"claim": "Campaigns raise turnover.", "arm_a": "calm", "arm_b": "campaign"}
    monkeypatch.setattr(i18n, "pattern_sources", lambda: {**sources, "12a": new})
    gaps = i18n.missing("zh_CN")
    assert {"patterns.12a.claim", "patterns.12a.arm_a", "patterns.12a.arm_b"} <= set(gaps)
    assert not any(k.startswith("patterns.") for k in i18n.missing("en"))
    assert i18n.pattern_text("12a", "arm_b", "campaign", "zh_CN") == "campaign"
    without = {k: v for k, v in sources.items() if k != "2a"}
    monkeypatch.setattr(i18n, "pattern_sources", lambda: without)
    assert "patterns.2a.claim" in i18n.stale("zh_CN")
    assert i18n.stale("en") == []


def test_a_calibration_figure_without_a_chinese_text_fails_the_completeness_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    figures = i18n.calibration_sources()
    extra = {**figures, ("active_ngos", 7): "NGOs in 2016"}
    monkeypatch.setattr(i18n, "calibration_sources", lambda: extra)
    assert "calibration_figures.active_ngos.7" in i18n.missing("zh_CN")
    fewer = dict(list(figures.items())[1:])
    monkeypatch.setattr(i18n, "calibration_sources", lambda: fewer)
    (first, year), _figure = next(iter(figures.items()))
    assert i18n.stale("zh_CN") == [f"calibration_figures.{first}.{year}"]


# --------------------------------------------------------------------------- figures
@pytest.fixture(scope="module")
def small_results():
    base = load_scenario("baseline").replace(years=4, n_bureaux=6, initial_ngos=15)
    scenarios = [Scenario(dict(base), name="open"), Scenario(dict(base.replace(contract_years=1)))]
    return compare(scenarios, replications=2, workers=1, series=True)


def test_figures_speak_chinese(small_results) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the fonts would warn
        fig = plots.compare_outcomes(small_results, ["staff_turnover"], lang="zh_CN")
        fig.canvas.draw()
    (ax,) = [a for a in fig.axes if a.get_visible()]
    assert ax.get_xlabel() == "社工流失率（比例）"
    assert fig.get_suptitle().startswith("结果指标")
    english = plots.compare_outcomes(small_results, ["staff_turnover"])
    assert english.axes[0].get_xlabel() == "Staff turnover (share)"
    fan = plots.fan_chart(small_results, "active_ngos", lang="zh_CN")
    assert fan.axes[0].get_xlabel() == "模型年份"
    assert i18n.current() == "en"  # the language applied to the figure only


@pytest.fixture(scope="module")
def small_sweep():
    base = load_scenario("baseline").replace(years=3, n_bureaux=6, initial_ngos=15)
    grid = {"favouritism": [0.1, 0.9], "tendering": ["open", "direct"]}
    return sweep(base, grid, replications=2, workers=1, series=True)


def test_design_points_and_their_levels_speak_chinese(small_sweep) -> None:
    """A sweep's legends and heatmap ticks name the parameters and choices in the
    figure's language; English keeps the code names, as typed in a sweep."""
    zh = "zh_CN"
    tendering, direct = (
        i18n.parameter_label("tendering", zh),
        i18n.choice_label("tendering", "direct", zh),
    )
    heat = plots.heatmap(small_sweep, "tied_award_share", x="tendering", y="favouritism", lang=zh)
    ticks = [t.get_text() for t in heat.axes[0].get_xticklabels()]
    assert ticks == [i18n.choice_label("tendering", v, zh) for v in ("open", "direct")]
    fan = plots.fan_chart(small_sweep, "active_ngos", lang=zh)
    legend = [t.get_text() for ax in fan.axes if ax.get_legend() for t in ax.get_legend().texts]
    legend += [t.get_text() for t in fan.legends[0].texts] if fan.legends else []
    assert any(f"{tendering}={direct}" in text for text in legend), legend
    english = plots.fan_chart(small_sweep, "active_ngos")
    legend = [t.get_text() for ax in english.axes if ax.get_legend() for t in ax.get_legend().texts]
    legend += [t.get_text() for t in english.legends[0].texts] if english.legends else []
    assert any("tendering=direct" in text for text in legend), legend


def test_every_standard_figure_in_chinese(small_results, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the fonts would warn
        written = plots.draw_all(small_results, tmp_path, ("png",), lang="zh_CN")
        fig = plots.survival_curves(small_results, lang="zh_CN")
        (pdf,) = plots.save(fig, tmp_path / "survival_zh", ("pdf",))
    assert len(written) >= 5 and all(path.stat().st_size > 10_000 for path in written)
    assert pdf.read_bytes().startswith(b"%PDF") and b"NotoSansCJK" in pdf.read_bytes()


def test_an_english_figure_shows_a_scenario_named_in_chinese(tmp_path: Path) -> None:
    base = load_scenario("baseline").replace(years=3, n_bureaux=4, initial_ngos=10)
    named = compare([Scenario(dict(base), name="广州购买服务")], replications=2, workers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the fonts would warn
        fig = plots.compare_outcomes(named, ["ngo_survival"], lang="en")
        (png,) = plots.save(fig, tmp_path / "named", ("png",))
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert "广州购买服务" in ticks and png.stat().st_size > 5_000


def test_chinese_font_installs_with_the_package() -> None:
    """The figures' CJK font comes from a Python package, not the system, and has a glyph
    for every Chinese character of the catalogue."""
    family = style.cjk_family()
    assert family == "Noto Sans CJK SC"
    path = Path(font_manager.findfont(font_manager.FontProperties(family=family)))
    assert "mplfonts" in path.parts
    cmap = TTFont(path, lazy=True).getBestCmap()
    text = i18n.catalogue_text("zh_CN")
    han = set(re.findall(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]", text))
    assert han and not [c for c in han if ord(c) not in cmap]


def test_app_and_figures_share_names() -> None:
    assert {o: i18n.origin_name(o, "en") for o in style.ORIGIN_COLOURS} == style.ORIGIN_NAMES
    assert {
        k: i18n.purchaser_name(k, "en") for k in style.PURCHASER_COLOURS
    } == style.PURCHASER_NAMES
    with i18n.use_language("zh_CN"):
        assert style.origin_name("grassroots") == "草根组织"
        assert style.outcome_label("provider_turnover") == "承接机构更替率（比例）"
    for name in OUTCOMES:
        assert style.pretty(name) == i18n.outcome_label(name, "en")


# --------------------------------------------------------------------------- palette
MACHADO = {
    # Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
}

MIN_DELTA_E = 18.0
"""Smallest CIEDE2000 difference between two origins' colours as a colour-blind reader
sees them (the orange grassroots colour was 17.9 from the community colour under
protanopia, and 12.5 from the specialists' under deuteranopia)."""


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array(to_rgb(hex_colour))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ np.clip(linear_rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = h2p - h1p
    dh = 0 if c1p * c2p == 0 else dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_hp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, c_barp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_barp, 1 + 0.015 * c_barp * t
    r_t = (
        -np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2))))
        * 2
        * np.sqrt(c_barp**7 / (c_barp**7 + 25**7))
    )
    terms = ((l2 - l1) / s_l, (c2p - c1p) / s_c, d_hp / s_h)
    return float(np.sqrt(sum(x * x for x in terms) + r_t * terms[1] * terms[2]))


def _seen(hex_colour: str, vision: str) -> np.ndarray:
    return _lab(MACHADO[vision] @ _linear(hex_colour))


def test_delta_e_reference_pair() -> None:
    """CIEDE2000 against a pair of Sharma, Wu & Dalal's (2005) test data."""
    pair = np.array([50.0, 2.6772, -79.7751]), np.array([50.0, 0.0, -82.7485])
    assert _ciede2000(*pair) == pytest.approx(2.0425, abs=1e-3)


@pytest.mark.parametrize("vision", sorted(MACHADO))
def test_origin_colours_stay_apart_for_colour_blind_readers(vision: str) -> None:
    colours = style.ORIGIN_COLOURS
    for a, b in itertools.combinations(colours, 2):
        difference = _ciede2000(_seen(colours[a], vision), _seen(colours[b], vision))
        assert difference >= MIN_DELTA_E, f"{a} and {b} under {vision}: {difference:.1f}"
    community, grassroots = colours["community"], colours["grassroots"]
    assert _ciede2000(_seen(community, "protanopia"), _seen(grassroots, "protanopia")) > 25


# ---------------------------------------------------------------- Chinese as the English says
def _english(key: str) -> str:
    """The English of a catalogue key, from the catalogue or the registries."""
    return i18n.english_sources()[key][0]


def _chinese_texts() -> dict[str, str]:
    zh = i18n.catalogue("zh_CN")
    return {k: v for k in i18n._keys(zh) if isinstance(v := i18n._lookup("zh_CN", k), str)}


def test_chinese_meanings_say_what_the_english_and_the_code_say() -> None:
    zh = "zh_CN"
    # closing.py counts dependence >= the threshold: "at or above"
    assert "达到或超过此值" in i18n.parameter_meaning("dependence_threshold", zh)
    assert "比例的平均值" in i18n.parameter_meaning("burden_tolerance", zh)
    assert "（的平均值" not in i18n.parameter_meaning("burden_tolerance", zh)
    assert "只有一家评估机构时为 0" in i18n.outcome_meaning("evaluator_disagreement", zh)
    assert "政府部门的项目" in i18n.outcome_meaning("service_hours_per_1000", zh)
    assert i18n.outcome_label("street_size_quality_gap", zh).startswith("小街道减大街道")
    # a parameter the English names in backticks is quoted by its Chinese label
    for key, text in _chinese_texts().items():
        if not key.startswith(("parameters.", "outcomes.", "patterns.")):
            continue
        for name in re.findall(r"`(\w+)`", _english(key)):
            if name in PARAMETERS:
                assert f"“{i18n.parameter_label(name, zh)}”" in text, (key, name)
                assert f"`{name}`" not in text, (key, name)


def test_one_chinese_term_per_concept() -> None:
    """Slot 项目 (岗位 only for an official's post), incumbent 现任承接机构, the mass-org
    spin-off 群团孵化的专业机构, tendering 购买方式, active 运营中."""
    texts = _chinese_texts()
    for key, text in texts.items():
        if "岗位" in text:
            assert " post" in _english(key), key
        for other in ("在位机构", "现任者", "专业型", "招标方式", "在营"):
            assert other not in text, (key, other)
        assert text.count("专业机构") == text.count("群团孵化的专业机构"), key
    specialist = "群团孵化的专业机构"
    assert i18n.origin_name("specialist", "zh_CN") == specialist
    assert texts["classroom.origin.specialist"] == specialist
    tendering = i18n.parameter_label("tendering", "zh_CN")
    assert texts["classroom.mode"] == texts["decomposition.rules.tendering_mode"] == tendering
    assert texts["classroom.tender"] == "{purchaser}，项目 {n}"


# --------------------------------------------------------------------------- Chinese reports
_ASCII_IN_CHINESE = re.compile(r"[\u3400-\u9fff）][ ]?[(,;]|\)[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def small_discovery():
    from simcontract.experiment import discovery

    base = load_scenario("baseline").replace(years=3, initial_ngos=12, n_bureaux=3, n_mass_orgs=1)
    rules = {"favouritism": (0, 1), "contract_years": (1, 5), "tendering": ["open", "direct"]}
    design = discovery.discovery_design(rules, points=30)
    runs = sweep(base, design, replications=1, workers=1)
    return discovery.discover(runs, "provider_turnover > 0.3", min_density=0.6, max_qp=1)


def test_a_discovery_reads_in_chinese(small_discovery) -> None:
    from simcontract.experiment.discovery import format_discovery

    text = format_discovery(small_discovery, lang="zh_CN")
    for english in ("Runs meeting", "Box", "coverage", "density", "mass", "input", "quasi-p"):
        assert english not in text, english
    assert "覆盖率" in text and "密度" in text and "| 输入 | 重要性 |" in text
    assert "准 p 值" in text and _ASCII_IN_CHINESE.findall(text) == []
    assert f"| {i18n.parameter_label('favouritism', 'zh_CN')} |" in text
    english = format_discovery(small_discovery)
    assert english.startswith("Runs meeting `provider_turnover > 0.3`: ")
    assert "| input | importance | spread |" in english and "| favouritism |" in english
    assert "(quasi-p " in english
    box = plots.discovery_box(small_discovery, lang="zh_CN")
    said = [t.get_text() for t in box.axes[0].texts]
    assert any("（准 p 值 " in t for t in said) and not any(" (" in t for t in said), said


def test_a_sweep_report_reads_in_chinese(small_sweep) -> None:
    from simcontract.experiment import sweep_report

    outcomes = ["provider_turnover", "service_quality"]
    md = sweep_report.markdown(small_sweep, outcomes, None, lang="zh_CN")
    title = md.splitlines()[0]
    assert title == f"# {i18n.scenario_title('baseline', 'zh_CN')}的参数扫描：网格设计"
    rows = [x for x in md.splitlines() if x.startswith("| 0 |") or x.startswith("| 3 |")]
    assert rows and all("open" not in x and "direct" not in x for x in rows)
    assert any(i18n.choice_label("tendering", "direct", "zh_CN") in x for x in rows)
    text = sweep_report.points_text(small_sweep, outcomes, lang="zh_CN")
    lines = text.splitlines()
    rule = next(i for i, x in enumerate(lines) if set(x) <= {"-", " "})
    ends = {_columns(x.rstrip()) for x in lines[rule + 1 :] if x.strip()}
    assert len(ends) == 1, lines  # right-aligned cells end in one column
    assert "（比例）" in text and "(比例)" not in text
    english = sweep_report.markdown(small_sweep, outcomes, None)
    assert english.startswith("# Sweep of baseline: grid design")
    assert "| open |" in english or "| open " in english


def test_the_parameter_registry_reads_in_chinese() -> None:
    from simcontract import paramsview

    with i18n.use_language("zh_CN"):
        zh = paramsview.registry_lines()
    english = paramsview.registry_lines()
    for i, p in enumerate(PARAMETERS.values()):
        assert i18n.parameter_meaning(p.name, "zh_CN") in zh[2 * i + 1], p.name
        assert english[2 * i].startswith(f"{p.name} = {p.default!r}  [{p.allowed()}]")
        assert english[2 * i + 1].startswith(f"    {p.meaning} (source: {p.citation}")
    assert not any("source:" in x or "assumption" in x or "an integer" in x for x in zh)
    assert "（来源：假设）" in zh[1]


def test_labels_joined_in_code_use_chinese_punctuation(small_results, small_sweep) -> None:
    from simcontract.experiment import decomposition_report, validation_report

    assert validation_report.outcome_heading("staff_turnover", "zh_CN") == "社工流失率（比例）"
    assert validation_report.outcome_heading("staff_turnover") == "Staff turnover (share)"
    title = i18n.scenario_title("baseline", "zh_CN")
    assert decomposition_report._title("baseline", "zh_CN") == f"{title}（baseline）"
    network = plots.contract_network(small_results, lang="zh_CN")
    said = [t.get_text() for ax in network.axes for t in ax.texts]
    agencies = i18n.origin_name("general", "zh_CN")
    assert any(re.fullmatch(agencies + r"（\d+）", t) for t in said), said
    english = plots.contract_network(small_results)
    said = [t.get_text() for ax in english.axes for t in ax.texts]
    assert any(re.fullmatch(r"Social-work agencies \(\d+\)", t) for t in said), said
    fan = plots.fan_chart(small_sweep, "active_ngos", lang="zh_CN")
    legend = [t.get_text() for t in fan.legends[0].texts] if fan.legends else []
    legend += [t.get_text() for ax in fan.axes if ax.get_legend() for t in ax.get_legend().texts]
    assert any("、" in t for t in legend) and not any(", " in t for t in legend), legend


def _columns(text: str) -> int:
    """Terminal columns of ``text``: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_the_command_line_speaks_chinese_with_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--lang zh_CN`` gives the printed report, the Markdown table, the codebook and
    the figures in Chinese; the data files keep the outcomes' names."""
    from simcontract.cli import main

    out = tmp_path / "zh"
    argv = ["compare", "baseline", "--replications", "2", "--set", "years=2", "--workers", "1"]
    assert main([*argv, "--lang", "zh_CN", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "社会组织存活率" in printed and "情景" in printed
    book = (out / "codebook.md").read_text(encoding="utf-8")
    assert book.startswith("# 结果文件夹编码手册") and "\n## 结果指标\n" in book
    assert "情景" in (out / "table.md").read_text(encoding="utf-8")
    assert main(["plot", str(out), "--format", "svg", "--lang", "zh_CN"]) == 0
    assert "社会组织" in (out / "figures" / "outcomes.svg").read_text(encoding="utf-8")
    assert "ngo_survival" in (out / "table.csv").read_text(encoding="utf-8")
    assert main(["run", "baseline", "--set", "years=2", "--lang", "zh"]) == 0
    assert "社会组织存活率" in capsys.readouterr().out
    assert main(["params", "--lang", "zh_CN"]) == 0
    assert capsys.readouterr().out.startswith("参数")
    assert main(["params", "--lang", "fr"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == "simcontract: error: --lang 'fr': unknown language 'fr'; languages are en, zh_CN"


def test_a_scenario_files_own_kinds_of_source_are_said_in_the_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ "assumption" and "calibrated" in a scenario's ``[sources]`` read as the
    registry's defaults do ("假设"), in its table and its dated changes alike."""
    from simcontract.cli import main

    assert main(["params", "guangzhou_ifsc", "--lang", "zh_CN"]) == 0
    printed = capsys.readouterr().out
    rows = {line.split()[0]: line for line in printed.splitlines() if line.strip()}
    assert rows["years"].rstrip().endswith("假设")  # the file's own source
    assert "校准; Guangzhou IFSC study n.d." in rows["entry_rate"]
    assert "budget_growth = 0.03（假设）" in printed
    assert "assumption" not in printed and "calibrated" not in printed
    assert main(["params", "guangzhou_ifsc"]) == 0
    english = capsys.readouterr().out
    assert "calibrated; Guangzhou IFSC study n.d." in english and "（" not in english
