"""The French catalogue is complete, compiled from its current .po, and keeps placeholders.

The compiled .mo ships in the package (so ``pip install -e .`` needs no build step); these
tests fail when someone edits a string or the .po without running ``pybabel compile``.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "service" / "translations"
PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
METHODS = [("service/web/**.py", "python"), ("service/templates/web/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def _catalogue(path: Path, reader):
    with path.open("rb") as handle:
        return reader(handle)


def _entries(catalogue) -> dict[object, object]:
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(m.id): key(m.string) for m in catalogue if m.id}


def test_the_compiled_catalogue_is_the_current_po_file() -> None:
    po = _entries(_catalogue(PO, read_po))
    mo = _entries(_catalogue(MO, read_mo))
    assert mo == po, "run: pybabel compile -d service/translations"


def test_every_interface_string_has_a_french_translation() -> None:
    extracted = {
        message if isinstance(message, str) else tuple(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=KEYWORDS
        )
    }
    catalogue = _catalogue(PO, read_po)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    assert extracted - translated == set(), "add these to messages.po (see DEVELOPERS.md)"


def test_translations_keep_every_placeholder() -> None:
    for message in _catalogue(PO, read_po):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, message.id
