"""The sources: one citation key for each source document the model draws on.

Parameters (:data:`simcontract.params.PARAMETERS`), scenario files (their ``[sources]``
tables) and the validation patterns (``patterns.toml``) name a source by its key, e.g.
``"mok_wen_2023"``; tables, figures and the documentation show the short citation
("Mok & Wen 2023") and ``docs/SOURCES.md`` the full references. A value no document
supports says ``"assumption"``; one set to match a figure says ``"calibrated"``.

Each reference gives what its document states and no more: a field the document does
not give is written "n.d." (no date) or said to be not given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Source:
    """One source document.

    Attributes:
        key: Citation key, used in the registry, scenario files and ``patterns.toml``.
        short: Short citation shown in tables and figures ("Mok & Wen 2023").
        authors: Authors as the document names them, or ``""`` if it names none.
        year: Year of publication as the document gives it, or ``"n.d."``.
        title: Title of the document.
        venue: Journal, book, web page or report, as far as the document says.
        note: What the document leaves out or how the fields were read from it.
        file: Name of the document's file among the project's source texts.
        used_for: What the model takes from it, in one line.
    """

    key: str
    short: str
    authors: str
    year: str
    title: str
    venue: str
    note: str
    file: str
    used_for: str

    def reference(self) -> str:
        """The full reference: authors (year) title, venue; then the note."""
        who = self.authors or "[author not given]"
        text = f"{who} ({self.year}) {self.title}. {self.venue}."
        return f"{text} {self.note}" if self.note else text


_LISTED = (
    Source(
        key="lse_nd",
        short="LSE n.d.",
        authors="London School of Economics and Political Science, Department of "
        "International Development",
        year="n.d.",
        title="*The politics of services subcontracting to NGOs in China*",
        venue="Research project record: abstract, planned impact and reported outcomes of "
        "an ESRC-funded project",
        note="The record names its lead research organisation but no author or date; it "
        "names Professor Jude Howell (LSE) and reports activities from 2018 to 2020.",
        file="000_effe18ee7456b6b6.txt",
        used_for="dual-sponsor registration before July 2012 and direct registration "
        "after; a city with a thin supply of capable NGOs; NGOs that do not contract",
    ),
    Source(
        key="csnc_nd",
        short="CSNC n.d.",
        authors="Contracting Services to NGOs in China (CSNC) project team",
        year="n.d.",
        title="*Contracting Services to NGOs in China*",
        venue="Project web page of an ESRC-funded project of the London School of Economics "
        "and Political Science, Beijing Normal University and the University of New South "
        "Wales",
        note="The page gives no author or date; it lists events of 2018 and 2020.",
        file="001_0973de3132233a76.txt",
        used_for="dual sponsorship limited the pool of registered NGOs",
    ),
    Source(
        key="mok_wen_2023",
        short="Mok & Wen 2023",
        authors="Mok, K. H. and Wen, Z.",
        year="2023",
        title="'Contracting Out Social Services in China's Three First-Tier Cities: "
        'Exploring "Variation" through the Eyes of NGO Practitioners\'',
        venue="*Social Policy and Society*, Cambridge University Press (open access), "
        "doi:10.1017/S1474746423000143",
        note="In-depth interviews with sixteen NGO practitioners in Beijing, Shanghai and "
        "Guangzhou; volume and pages are not given.",
        file="002_52d5503e79805775.txt",
        used_for='contract length, tendering modes, contract snatching, "new brooms", '
        "personal ties, blame avoidance, mass organisations and specialist NGOs, the "
        "Guangzhou-Shanghai-Beijing contrast",
    ),
    Source(
        key="yang_huang_fulda_2016",
        short="Yang, Huang & Fulda 2016",
        authors="Yang Tuan, Huang Haoming and Andreas Fulda",
        year="2016",
        title="'How Policy Entrepreneurs Convinced China's Government to Start Procuring "
        "Public Services from CSOs'",
        venue="Web reprint (Brief News, 2016) of a chapter of the book *Civil Society "
        "Contributions to Policy Innovation in the PR China*",
        note="The year is that under which the reprint is filed; the book's editor, "
        "publisher and year are not given.",
        file="003_cb4aa1f09a237e0c.txt",
        used_for="the Luoshan delegation, Pudong 2006, Beijing 2010, the MoCA 2012 fund "
        "and its match funding, cadre rotation, dependence and co-optation",
    ),
    Source(
        key="guangzhou_ifsc_nd",
        short="Guangzhou IFSC study n.d.",
        authors="",
        year="n.d.",
        title="'Contracting Social Services in China: The Case of the Integrated Family "
        "Services Centres in Guangzhou'",
        venue="Anonymised, line-numbered manuscript (venue not given)",
        note="Twelve focus groups in 2015; the author's own works are cited as "
        '"Author", and the latest web page it cites was accessed on 21 February 2017.',
        file="004_03c87105c24127cd.txt",
        used_for="the Guangzhou figures, the Yuexiu workload table, bid inflation, extra "
        "duties, seven evaluators, the documentation burden",
    ),
)

SOURCES: MappingProxyType[str, Source] = MappingProxyType({s.key: s for s in _LISTED})
"""Every source document by citation key, in the order of their files."""

KINDS: MappingProxyType[str, str] = MappingProxyType(
    {
        "assumption": "the modeller's choice, which no source document supports",
        "calibrated": "set so that the model matches figures of the calibration "
        "(`simcontract validate --calibration`)",
    }
)
"""What a value can rest on besides a source document, with what each word means."""

_BY_FILE = {s.file: s for s in _LISTED}


def _allowed() -> str:
    return _listed([*SOURCES, *(repr(k) for k in KINDS)])


def _listed(items: Sequence[str]) -> str:
    from simcontract import i18n  # i18n reads the registry, which reads this module

    return i18n.listed(items)


def _said(key: str, **values: str) -> str:
    """``errors.source_keys.<key>`` of the catalogue, in the language in use."""
    from simcontract import i18n

    return i18n.text(f"errors.source_keys.{key}", **values)


def source_of(key_or_file: str) -> Source:
    """The source with this citation key or file name.

    Raises:
        ValueError: Neither a key nor a file name of a source (the message lists the keys).
    """
    found = SOURCES.get(key_or_file) or _BY_FILE.get(key_or_file)
    if found is None:
        raise ValueError(_said("unknown_key", source=repr(key_or_file), keys=_listed(SOURCES)))
    return found


def check(ref: str | Sequence[str]) -> tuple[str, ...]:
    """A source entry as a tuple of keys and kinds, or ``ValueError``.

    Args:
        ref: A citation key, ``"assumption"`` or ``"calibrated"``, or a non-empty list
            of them (a value resting on a document and an assumption, say).

    Raises:
        ValueError: Not text or a list of text, empty, or naming an unknown source.
    """
    items = (ref,) if isinstance(ref, str) else ref
    if not isinstance(items, Sequence) or isinstance(items, bytes) or not items:
        raise ValueError(_said("not_allowed", source=repr(ref), allowed=_allowed()))
    for item in items:
        if not isinstance(item, str) or (item not in SOURCES and item not in KINDS):
            raise ValueError(_said("unknown", source=repr(item), allowed=_allowed()))
    return tuple(items)


def cite(ref: str | Sequence[str]) -> str:
    """The short citation of a source, as tables and figures show it.

    Args:
        ref: A citation key (``"mok_wen_2023"``), a source's file name, ``"assumption"``
            or ``"calibrated"``, or a list of these.

    Returns:
        ``"Mok & Wen 2023"`` for the key or its file; the kind words unchanged; a list
        joined by ``"; "``.

    Raises:
        ValueError: An unknown source.
    """
    if not isinstance(ref, str):
        return "; ".join(cite(item) for item in check(ref))
    if ref in KINDS:
        return ref
    return source_of(ref).short


def reference(key_or_file: str) -> str:
    """The full reference of a source (authors, year, title, venue, note).

    Raises:
        ValueError: An unknown source.
    """
    return source_of(key_or_file).reference()
