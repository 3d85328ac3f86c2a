"""The seminar app as a teacher reading Chinese sees it: text without stray spaces and
with Chinese punctuation, charts whose axes stay in their box as the numbers grow, and
a legend that tells the live run from a kept one."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("solara", reason="the app needs solara: pip install 'simcontract[app]'")
pytest.importorskip("altair", reason="the app needs altair: pip install 'simcontract[app]'")

import solara

from simcontract import i18n
from simcontract.app import Banner
from simcontract.appcharts import DASHES, PANELS, change_marks, panel_spec
from simcontract.appfont import CJK
from simcontract.appmarketchart import detail_spec, district_spec
from simcontract.apppanels import ComparePanel
from simcontract.appruns import start_run
from simcontract.appstate import AppState
from simcontract.appviews import as_html

WIDE = f"[{CJK}\u2018\u2019\u201c\u201d]"

BLOCK = re.compile(r"<(p|li|td|th|h\d)>(.*?)</\1>", re.S)


def _app_texts(lang: str) -> dict[str, str]:
    return {k: v for k, v in i18n.catalogue(lang)["app"].items() if isinstance(v, str)}


def _blocks(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", inner) for _tag, inner in BLOCK.findall(html)]


def test_chinese_lines_wrapped_in_the_catalogue_show_no_spaces() -> None:
    """A browser shows a line break between two Chinese characters as a space."""
    blocks = _blocks(as_html(i18n.text("app.explanation", "zh_CN")))
    assert len(blocks) > 5
    spaced = [m.group(0) for b in blocks for m in re.finditer(rf".{{3}}{WIDE}\s+{WIDE}.{{3}}", b)]
    assert not spaced, spaced


def test_line_breaks_between_words_stay_spaces() -> None:
    assert as_html("open\ntendering") == "<p>open\ntendering</p>"
    assert (
        as_html("设为 0.8，\n**官员任期**设为\n0")
        == "<p>设为 0.8，<strong>官员任期</strong>设为\n0</p>"
    )
    assert as_html("- 一项\n  继续\n- 二项") == "<ul>\n<li>一项继续</li>\n<li>二项</li>\n</ul>"


def _specs() -> list[dict]:
    specs = [
        panel_spec(p, "zh_CN", projector, 20, ["a", "b"]) for p in PANELS for projector in (0, 1)
    ]
    return [*specs, district_spec([1, 2], "zh_CN", False), detail_spec([1, 2], "zh_CN", False, 1e6)]


def test_charts_lay_out_again_when_their_data_change() -> None:
    """Each year only a chart's data travel; Vega sizes the axes again only when asked,
    so "1,000" after "0" pushed the axis title and the chart's title out of its box."""
    for spec in _specs():
        assert spec["autosize"].get("resize") is True, spec.get("title")


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_the_legend_of_runs_draws_solid_and_dashed_strokes(lang: str) -> None:
    """Vega-Lite draws the strokes of a dash legend transparent when the lines' colour
    comes from another field: the legend must draw them itself."""
    for panel in PANELS:
        spec = panel_spec(panel, lang, False, 20, ["this run", "A"])
        legends = [
            layer["encoding"]["strokeDash"]["legend"]
            for layer in spec["layer"]
            if (layer.get("encoding", {}).get("strokeDash") or {}).get("legend")
        ]
        assert len(legends) == 1
        symbols = legends[0]["encode"]["symbols"]["update"]
        assert symbols["stroke"]["value"] not in ("transparent", None)
        assert symbols["fill"]["value"] == "transparent"  # a stroke, not a filled box
        assert legends[0]["symbolSize"] ** 0.5 >= max(sum(dash) for dash in DASHES)


def test_chinese_ellipses_are_chinese() -> None:
    lone = {k: v for k, v in _app_texts("zh_CN").items() if re.search(r"(?<!…)…(?!…)", v)}
    assert not lone, lone


TINY = {"n_bureaux": 6, "n_mass_orgs": 1, "initial_ngos": 15}
"""A market small enough to run in a blink."""

ASCII_PUNCTUATION = re.compile(r"[,:;] ")
"""English list, field and clause punctuation (a number's "2,400,000" has no space)."""


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> AppState:
    """The page in Chinese on a tiny baseline market, in year 1."""
    monkeypatch.setattr(
        "simcontract.appstate.start_run",
        lambda preset, seed, values=(): start_run(preset, seed, {**TINY, **dict(values)}),
    )
    state = AppState("zh_CN", "baseline")
    state.step()
    return state


def test_rules_waiting_to_apply_are_listed_in_chinese(chinese: AppState) -> None:
    chinese.set_rule("favouritism", 0.9)
    chinese.set_rule("tendering", "direct")
    box, rc = solara.render(Banner(chinese), handle_error=False)
    try:
        said = [
            str(w.unsafe_innerHTML)
            for w in _all(box)
            if "尚未生效" in str(getattr(w, "unsafe_innerHTML", "") or "")
        ]
    finally:
        rc.close()
    assert len(said) == 1
    assert {"关系偏向 → 0.9", "购买方式 → 直接委托"} == set(said[0].split("：")[1][:-1].split("、"))
    assert not ASCII_PUNCTUATION.search(said[0]), said[0]


def test_chart_marks_say_rule_changes_in_chinese(chinese: AppState) -> None:
    chinese.set_rule("favouritism", 0.9)
    chinese.set_rule("tendering", "direct")
    chinese.apply_pending()
    shock = [row["text"] for row in change_marks(chinese.run.value, "zh_CN")]
    assert len(shock) == 1
    said = shock[0].split("起：")[1].split("；")
    assert {"关系偏向：0.2 → 0.9", "购买方式：公开招标 → 直接委托"} == set(said)
    dated = start_run("guangzhou_ifsc", 1, TINY)
    texts = [row["text"] for row in change_marks(dated, "zh_CN")]
    assert any("、" in text for text in texts)  # year 9 changes two rules
    assert not [t for t in shock + texts if ASCII_PUNCTUATION.search(t)]
    english = [row["text"] for row in change_marks(dated, "en")]
    assert any(", " in text for text in english)


def test_kept_runs_are_listed_in_chinese(chinese: AppState) -> None:
    for _ in range(2):
        chinese.keep_run()
        chinese.step()
    box, rc = solara.render(ComparePanel(chinese), handle_error=False)
    try:
        texts = [
            c for w in _all(box) for c in getattr(w, "children", None) or [] if isinstance(c, str)
        ]
    finally:
        rc.close()
    assert any("已保留的运行：A、B。" in text for text in texts), texts


def _all(root):
    stack = [root]
    while stack:
        widget = stack.pop()
        yield widget
        stack.extend(c for c in getattr(widget, "children", None) or [] if not isinstance(c, str))
