"""Saving figures: one figure in several formats (:func:`save`), or every standard
figure a results object supports (:func:`draw_all`)."""

from __future__ import annotations

import contextlib
import math
import numbers
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

from simcontract import i18n
from simcontract.experiment import DesignError, runner
from simcontract.experiment import plan as plans
from simcontract.experiment.atomic import write_atomic
from simcontract.outcomes import OUTCOMES
from simcontract.plots.data import has_table, outcome_names, runs_of, runs_with
from simcontract.plots.dependence import dependence_distribution
from simcontract.plots.heatmaps import heatmap
from simcontract.plots.network import contract_network
from simcontract.plots.outcomes import compare_outcomes, fan_chart
from simcontract.plots.response import response
from simcontract.plots.sensitivity_indices import sensitivity
from simcontract.plots.style import DPI, STYLE, check_width, figure_text, saved_whole
from simcontract.plots.survival import survival_curves
from simcontract.plots.turnover import turnover_vs_contract_length

MAX_LABELLED_POINTS = 20
"""Most design points :func:`draw_all` shows by name (comparison and fan figures)."""

IMAGE_FORMATS = {"png", "pdf", "svg", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp"}
"""File formats :func:`save` writes (Matplotlib's names, without the dot)."""


def save(
    fig: Figure,
    path: str | Path,
    formats: Sequence[str] = ("png", "pdf"),
    *,
    dpi: int = DPI,
    description: str | None = None,
) -> list[Path]:
    """Save a figure once per format, next to each other.

    Args:
        fig: The figure.
        path: File path without suffix (a known image suffix is dropped); parent
            folders are created.
        formats: File formats, e.g. ``("png", "pdf")``.
        dpi: Resolution of raster formats.
        description: What the figure rests on, kept in each file's metadata (PNG and
            SVG ``Description``, PDF ``Subject``).

    A figure drawn at a width asked for (``width_mm=``) is saved at exactly its size;
    any other is cropped to what it draws.

    Returns:
        The written paths, in the order of ``formats``. Each file is written under a
        temporary name and renamed when complete, so a full disk or an interruption
        never leaves a truncated figure under its name.
    """
    if not isinstance(fig, Figure):
        raise TypeError(i18n.error_text("types", "figure", given=type(fig).__name__))
    if isinstance(formats, str):
        formats = [formats]
    formats = [str(f).lower().lstrip(".") for f in formats]
    unknown = [f for f in formats if f not in IMAGE_FORMATS]
    if unknown or not formats:
        # Checked before any file is written: no figure in some formats but not others.
        given = unknown[0] if unknown else ""
        expected = i18n.text("punctuation.list").join(sorted(IMAGE_FORMATS))
        raise ValueError(i18n.text("errors.plots.format", given=repr(given), formats=expected))
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or not 0 < dpi < math.inf:
        raise ValueError(i18n.text("errors.plots.dpi", dpi=repr(dpi)))
    base = Path(path)
    if base.suffix.lower().lstrip(".") in IMAGE_FORMATS:
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    bbox = "standard" if saved_whole(fig) else STYLE["savefig.bbox"]
    with mpl.rc_context({**STYLE, "savefig.bbox": bbox}):
        for fmt in formats:
            target = base.with_name(f"{base.name}.{fmt}")
            # No creation date in the file, so the same figure saves to the same bytes.
            metadata = {"CreationDate": None} if fmt == "pdf" else None
            if fmt == "svg":
                metadata = {"Date": None}
            if description and fmt in ("png", "pdf", "svg"):
                key = "Subject" if fmt == "pdf" else "Description"
                metadata = {**(metadata or {}), key: description}
            write_atomic(
                target,
                lambda tmp, fmt=fmt, metadata=metadata: fig.savefig(
                    tmp, format=fmt, dpi=dpi, metadata=metadata
                ),
            )
            written.append(target)
    return written


def _figures(results: Any, outcomes: list[str]) -> list[tuple[str, Callable[..., Figure]]]:
    """File name and drawing of every standard figure ``results`` supports, in order;
    each drawing takes the figure functions' common keywords (``width_mm``,
    ``title``)."""
    runs = runs_of(results)
    design = getattr(results, "design", None)
    named = design is None or getattr(design, "kind", "") == "grid"
    few = named and runs["point"].nunique() <= MAX_LABELLED_POINTS
    out: list[tuple[str, Callable[..., Figure]]] = []
    if few:
        out.append(("outcomes", lambda **k: compare_outcomes(results, outcomes, **k)))
    if few and has_table(results, "series"):
        # A comparable form is a value per run, with no yearly series to draw.
        yearly = [n for n in outcomes if n in OUTCOMES]
        out += [(f"fan_{n}", lambda n=n, **k: fan_chart(results, n, **k)) for n in yearly]
    if few and has_table(results, "ngos"):
        out.append(("survival", lambda **k: survival_curves(results, **k)))
        out.append(("dependence", lambda **k: dependence_distribution(results, **k)))
    if "contract_years" in runs and runs["contract_years"].nunique() > 1:
        turnover = turnover_vs_contract_length
        out.append(("turnover_vs_contract_length", lambda **k: turnover(results, **k)))
    if has_table(results, "contracts", empty=True) and has_table(results, "ngos"):
        out.append(("network", lambda **k: contract_network(results, **k)))
    if design is not None and len(design.parameters) == 1 and not few:
        out += [(f"response_{n}", lambda n=n, **k: response(results, n, **k)) for n in outcomes]
    if design is not None and len(design.parameters) >= 2:
        out += [(f"heatmap_{n}", lambda n=n, **k: heatmap(results, n, **k)) for n in outcomes]
    if design is not None and getattr(design, "kind", "") in ("sobol", "morris"):
        try:
            indices = results.analyze(outcomes)
        except DesignError:  # e.g. an interrupted batch missing design points
            return out
        out += [
            (f"sensitivity_{n}", lambda n=n, **k: sensitivity(indices, n, **k)) for n in outcomes
        ]
    return out


def draw_all(
    results: Any,
    outdir: str | Path,
    formats: Sequence[str] = ("png", "pdf"),
    *,
    outcomes: Sequence[str] | None = None,
    dpi: int = DPI,
    lang: str | None = None,
    progress: bool | None = False,
    width_mm: float | None = None,
    title: bool = True,
) -> list[Path]:
    """Draw and save every standard figure the results support.

    File names (each with every suffix of ``formats``); the first three kinds only
    for comparisons and grid sweeps of at most 20 design points:

    * ``outcomes``: :func:`compare_outcomes`.
    * ``fan_<outcome>``: :func:`fan_chart`, when the results hold series.
    * ``survival``, ``dependence``: when they hold NGO tables.
    * ``turnover_vs_contract_length``: when runs differ in ``contract_years``.
    * ``network``: :func:`contract_network` of the first run with contracts in force at
      its end (a figure saying so when none has), when they hold contract and NGO tables.
    * ``response_<outcome>``: :func:`~simcontract.plots.response.response`, for sweeps
      whose design varies one parameter over more points than the first kinds name
      (a Latin hypercube, a long grid).
    * ``heatmap_<outcome>``: for sweeps whose design varies at least two parameters
      (the first two).
    * ``sensitivity_<outcome>``: for Sobol and Morris sweeps that hold every point.

    Figures of a partial batch (an unfinished or damaged one, loaded with
    ``partial=True``) say in their titles how many of its planned runs they rest on.

    Args:
        results: Results of :func:`simcontract.compare` or :func:`simcontract.sweep`.
        outdir: Folder to write into (created).
        formats: File formats.
        outcomes: Outcomes of the per-outcome figures (default: the key outcomes).
        dpi: Resolution of raster formats.
        lang: Language of the figures' text (``"en"``, ``"zh_CN"``; default the
            language in use, see :func:`simcontract.i18n.use_language`).
        progress: Show a progress line on stderr, naming the figure being drawn;
            ``None``: only on a terminal and outside CI (as the runner's bar).
        width_mm: Width of every figure in millimetres (e.g. 85 for a journal's
            column, 178 for its page), saved exactly; default each figure's own.
        title: ``False``: no titles (a journal puts them in the captions).

    Returns:
        The written paths.
    """
    outcomes = outcome_names(outcomes, runs_with(results, outcomes))
    outdir = Path(outdir)
    written: list[Path] = []
    with i18n.use_language(lang):
        check_width(width_mm)  # before any folder or figure is written
        outdir.mkdir(parents=True, exist_ok=True)
        figures = _figures(results, outcomes)
        with _progress_line(len(figures), progress) as bar:
            for name, draw in figures:
                bar.set_postfix_str(name)
                fig = draw(width_mm=width_mm, title=title)
                written.extend(
                    save(fig, outdir / name, formats, dpi=dpi, description=provenance(results))
                )
                bar.update(1)
    return written


def provenance(results: Any) -> str | None:
    """What the figures of ``results`` rest on, from its manifest: the batch, its design,
    replications, base seed, simcontract version and model code (``None`` without one)."""
    manifest = getattr(results, "manifest", None) or {}
    if not manifest.get("scenarios"):
        return None
    names = ", ".join(str(s.get("name")) for s in manifest["scenarios"])
    design = (manifest.get("design") or {}).get("kind")
    code = plans.recorded_code(manifest) or {"simcontract_version": None, "model_code": "unknown"}
    return (
        f"simcontract {manifest.get('kind')} of {names}"
        + (f", {design} design" if design else "")
        + f": {manifest.get('n_points')} points x {manifest.get('replications')} replications,"
        f" base seed {manifest.get('seed')} ({manifest.get('run_seeds')});"
        f" simcontract {code['simcontract_version']}, model code {code['model_code']}"
    )


class _Silent:
    """A progress line that shows nothing."""

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        """Show nothing."""

    def update(self, n: int = 1) -> None:
        """Count nothing."""


def _progress_line(total: int, progress: bool | None) -> Any:
    """A progress line on stderr while figures are drawn ("drawing figures: 2/11,
    survival"), shown when the runner shows its bar (:func:`runner.show_progress`)."""
    if not runner.show_progress(progress) or not total:
        return contextlib.nullcontext(_Silent())
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        unit="figure",
        desc=figure_text("drawing"),
        file=sys.stderr,
        dynamic_ncols=True,
        bar_format="{desc}: {n_fmt}/{total_fmt}{postfix} [{elapsed}]",
    )
