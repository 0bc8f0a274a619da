"""The fr and zh_Hans catalogues are complete: every string the code marks has a compiled translation.

The strings are extracted from the source as ``make translations`` does (babel.cfg), and looked up
in the compiled .mo files the app reads, so a string added to a template or a message without its
translation fails here, as does a translation that drops or invents a placeholder.
"""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ["fr", "zh_Hans"]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def marked_strings() -> set[str | tuple[str, str]]:
    """Every string marked for translation in the application's Python and templates."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


@pytest.fixture(scope="module")
def strings():
    found = marked_strings()
    assert len(found) > 600  # the extraction itself works: the product has this many strings
    return found


@pytest.fixture(scope="module", params=LOCALES)
def catalogue(request):
    path = ROOT / "translations" / request.param / "LC_MESSAGES" / "messages.mo"
    assert path.exists(), f"{path} is not compiled: run `make setup` (or `make translations`)"
    return request.param, Translations.load(str(ROOT / "translations"), [request.param])._catalog


def untranslated(strings, compiled: dict) -> list[str]:
    return sorted(str(m) for m in strings if not (compiled.get((m[0], 0)) if isinstance(m, tuple) else compiled.get(m)))


def test_every_marked_string_has_a_compiled_translation(strings, catalogue):
    locale, compiled = catalogue
    missing = untranslated(strings, compiled)
    assert not missing, f"{len(missing)} strings have no {locale} translation; run `make translations`: {missing[:10]}"


def test_translations_keep_their_placeholders(strings, catalogue):
    locale, compiled = catalogue
    wrong = []
    for message in strings:
        if isinstance(message, tuple):
            names = set(PLACEHOLDER.findall(message[1]))
            forms = [text for key, text in compiled.items() if isinstance(key, tuple) and key[0] == message[0]]
            # a singular form may leave the count out ("Son membre"), the others must keep every name
            if any(not set(PLACEHOLDER.findall(text)) <= names for text in forms) or \
                    set(PLACEHOLDER.findall(forms[-1])) != names:
                wrong.append((message, forms))
        elif set(PLACEHOLDER.findall(compiled[message])) != set(PLACEHOLDER.findall(message)):
            wrong.append((message, compiled[message]))
    assert not wrong, f"{locale}: {wrong[:5]}"


def test_a_template_string_missing_from_a_catalogue_is_caught(strings, catalogue):
    """The check above fails for a new template string, and for one a translator left empty."""
    _locale, compiled = catalogue
    new = "A sentence added to a template and never translated."
    emptied = {**compiled, "Acting On": ""}
    assert untranslated(strings | {new}, emptied) == sorted([new, "Acting On"])
