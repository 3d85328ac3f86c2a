"""The seminar app's look: page layout and type, for a desk and for a projector.

The bar with the run's buttons stays on screen; the sidebar and the views scroll on
their own. In projector mode (the ``sc-projector`` class) type, numbers and charts are
larger, for a 1366 x 768 projector read from the back of a room.
"""

from __future__ import annotations

from simcontract import appfont
from simcontract.appcharts import FONT

CSS = """
.v-application, .v-tooltip__content, .v-menu__content { font-family: FONT_STACK !important; }
.sc-app { height: 100vh; display: flex; flex-direction: column; font-size: 15px;
  font-family: FONT_STACK; color: #1d1d1d; }
.sc-app h1, .sc-app h3, .sc-app h4 { font-family: FONT_STACK; }
.sc-bar { flex: none; background: #f7f8fa; border-bottom: 1px solid #dcdfe4;
  padding: 2px 12px 4px; z-index: 5; }
.sc-topbar, .sc-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px;
  margin: 0 !important; }
.sc-title { font-size: 1.1rem; font-weight: 600; margin: 0 auto 0 4px; }
.sc-year { font-size: 1.35rem; font-weight: 700; min-width: 8.5em; padding: 0 6px; }
.sc-downloads { display: flex; gap: 6px; }
.sc-projector-switch .v-input--selection-controls { margin-top: 0; }
.sc-body { flex: 1 1 auto; display: flex; min-height: 0; }
.sc-sidebar { flex: 0 0 320px; overflow-y: auto; padding: 8px 14px 40px;
  border-right: 1px solid #e3e5e8; background: #fcfcfd; }
.sc-main { flex: 1 1 auto; min-width: 0; overflow-y: auto; padding: 6px 16px 40px; }
.sc-sidebar h3 { font-size: 1rem; margin: 12px 0 0; }
.sc-sidebar h4 { font-size: .92rem; margin: 14px 0 0; color: #444; }
.sc-about p { font-size: .88rem; color: #444; margin: 6px 0; }
.sc-rule { margin: 8px 0 0; }
.sc-rule-label { display: block; font-size: .86rem; color: #333; line-height: 1.25; }
.sc-rule .v-input__slider { margin-top: 0; }
.sc-rule .v-input { margin-top: 0; padding-top: 0; }
.sc-rule .v-select { margin-top: 20px; }
.sc-rule .v-messages { display: none; }
.sc-sidebar .v-select__selection--comma { white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 1.3; }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
.sc-banner > div { margin: 4px 0; padding: 6px 10px; border-radius: 4px;
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; }
.sc-pending { background: #fff3dc; border-left: 5px solid #E69F00; }
.sc-ended { background: #e4f4ec; border-left: 5px solid #009E73; font-weight: 600; }
.sc-notice { background: #eaf2fb; border-left: 5px solid #56B4E9; }
.sc-readouts { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px;
  margin: 6px 0 8px; }
.sc-readout { background: #f1f4f8; border-radius: 6px; padding: 4px 10px; }
.sc-big { font-size: 1.9rem; font-weight: 700; line-height: 1.15; }
.sc-big-label { font-size: .88rem; color: #333; }
.sc-big-other { font-size: .82rem; color: #555; }
.sc-charts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px 18px; }
.sc-chart { min-width: 0; }
.sc-market-box { margin-top: 10px; border-top: 1px solid #e3e5e8; padding-top: 6px; }
.sc-market-options { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; }
.sc-caption { font-weight: 600; margin: 4px 0 0; }
.sc-hint { font-size: .86rem; color: #555; }
.sc-inspector { background: #f6f7f9; border-radius: 6px; padding: 6px 12px; margin: 6px 0;
  max-width: 720px; }
.sc-inspector-title { font-weight: 700; }
.sc-inspector th { text-align: left; padding: 1px 12px 1px 0; font-weight: 500; color: #444; }
.sc-rules th, .sc-rules td, .sc-differences th, .sc-differences td,
.sc-replicates th, .sc-replicates td { padding: 2px 8px !important; }
.sc-rules, .sc-differences, .sc-replicates { overflow-x: auto; }
.sc-side-run h4 { margin: 8px 0 2px; }
#vg-tooltip-element { font-family: FONT_STACK; font-size: 13px; }
.sc-lang-zh_CN .sc-big-label, .sc-lang-zh_CN .sc-main td:first-child {
  word-break: keep-all; }
.sc-lang-zh_CN .sc-rules td + td { white-space: nowrap; }
@media (max-width: 1180px) { .sc-charts { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@media (max-width: 1000px) { .sc-sidebar { flex-basis: 270px; } }
@media (max-width: 720px) {
  .sc-charts { grid-template-columns: 1fr; }
  .sc-readouts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
.sc-projector { font-size: 19px; }
.sc-projector .sc-title { font-size: 1.25rem; }
.sc-projector .sc-year { font-size: 1.7rem; }
.sc-projector .sc-big { font-size: 2.9rem; }
.sc-projector .sc-big-label { font-size: 1.05rem; }
.sc-projector .sc-charts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.sc-projector .v-btn:not(.v-btn--icon) { font-size: 1rem !important; }
.sc-projector .sc-rule-label { font-size: 1rem; }
"""
"""Page styles (``FONT_STACK`` stands for the charts' font stack)."""


def page_css() -> str:
    """The page's styles, with the served Chinese font (the language switch names
    Chinese in Chinese, so every page needs it)."""
    return appfont.font_face() + CSS.replace("FONT_STACK", FONT)
