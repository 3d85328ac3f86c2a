"""A Chinese web font for the seminar app, so that its Chinese text renders in a browser
on a machine without any CJK font.

The font is Noto Sans CJK SC as the ``mplfonts`` package installs it (the one the
figures use), cut down to the characters of the Chinese catalogue and sent inline in
the page's CSS as WOFF (a few hundred kB instead of 16 MB). Cutting takes a few
seconds, so it is done once, in the background when the app starts, and kept in the
user's cache folder. Browsers use it only after the system's own Chinese fonts.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
import re
import threading
from pathlib import Path

from simcontract import i18n

FAMILY = "SimcontractCJK"
"""CSS family name of the served font."""

UNICODE_RANGE = "U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+FF00-FFEF"
"""Characters the font is used for: CJK punctuation, ideographs, full-width forms."""

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
"""The same characters, as the inside of a regular expression's character class."""

_CJK = re.compile(f"[{CJK}]")
_lock = threading.Lock()


def catalogue_characters() -> str:
    """Every CJK character of the catalogues, sorted."""
    found: set[str] = set()
    for code in i18n.LANGUAGES:
        source = i18n.catalogue_text(code)
        found |= set(_CJK.findall(source))
    return "".join(sorted(found))


def _font_path() -> Path | None:
    try:
        from mplfonts.conf import FONT_DIR
    except ImportError:
        return None
    path = Path(FONT_DIR) / "NotoSansCJKsc-Regular.otf"
    return path if path.is_file() else None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "simcontract"


KEPT_CUTS = 3
"""Cut fonts kept in the cache: the catalogue's characters change with a release, and
a few installs side by side should not cut theirs anew each time."""


def _forget_old_cuts(newest: Path) -> None:
    """Delete all but the ``KEPT_CUTS`` most recent cut fonts beside ``newest``."""
    cuts = sorted(newest.parent.glob("cjk-*.woff"), key=lambda p: p.stat().st_mtime)
    for old in [c for c in cuts if c != newest][: max(0, len(cuts) - KEPT_CUTS)]:
        old.unlink(missing_ok=True)


def _subset(path: Path, characters: str) -> bytes:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = ["*"]
    font = subset.load_font(str(path), options)
    try:
        cutter = subset.Subsetter(options)
        cutter.populate(text=characters)
        cutter.subset(font)
        out = io.BytesIO()
        subset.save_font(font, out, options)
    finally:
        font.close()
    return out.getvalue()


@functools.cache
def font_face() -> str:
    """The ``@font-face`` rule of the served font (empty without ``mplfonts``)."""
    path = _font_path()
    if path is None:
        return ""
    characters = catalogue_characters()
    key = hashlib.sha256(f"{path.stat().st_size}:{characters}".encode()).hexdigest()[:16]
    cached = _cache_dir() / f"cjk-{key}.woff"
    with _lock:
        try:
            data = cached.read_bytes()
        except OSError:
            data = _subset(path, characters)
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(data)
                _forget_old_cuts(cached)
            except OSError:
                pass  # a read-only home: cut again next time
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f"@font-face {{ font-family: '{FAMILY}'; font-display: swap; "
        f"src: url(data:font/woff;base64,{encoded}) format('woff'); "
        f"unicode-range: {UNICODE_RANGE}; }}"
    )


def prepare_in_background() -> None:
    """Start cutting the font now, so the first Chinese page does not wait for it."""
    threading.Thread(target=font_face, name="simcontract-cjk-font", daemon=True).start()
