"""The documents package as a whole: its translation files, and that it stays plain Python."""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

import careconnect_app.documents
from tests.unit.documents.support import ROOT

PACKAGE_DIR = Path(careconnect_app.documents.__file__).resolve().parent
MODULES = sorted(PACKAGE_DIR.glob("*.py"))


# --- translation files -----------------------------------------------------------------------


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("name", ["documents", "guide"])
def test_locales_have_the_same_keys_and_placeholders(name):
    en = json.loads((ROOT / "translations" / "en" / f"{name}.json").read_text(encoding="utf-8"))
    es = json.loads((ROOT / "translations" / "es" / f"{name}.json").read_text(encoding="utf-8"))
    assert set(en) == set(es)
    for key in en:
        assert isinstance(en[key], str) and isinstance(es[key], str) and es[key].strip(), key
        # Only the clock format differs: 12-hour with AM/PM in English, 24-hour in Spanish.
        assert _placeholders(en[key]) ^ _placeholders(es[key]) <= {"hour12", "ampm", "hour24"}, key


# --- no Reflex -----------------------------------------------------------------------------------


def test_package_has_one_module_per_document():
    names = {path.stem for path in MODULES}
    assert {"canvas", "signed_copy", "certificate", "guide", "evidence_types"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_service_does_not_import_reflex(path):
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+reflex", source, re.MULTILINE)


def test_importing_every_module_loads_no_reflex():
    # A fresh interpreter: this test process has Reflex loaded by other tests already.
    names = [f"careconnect_app.documents.{path.stem}" for path in MODULES if path.stem != "__init__"]
    script = (f"import importlib, sys\nfor name in {names!r}: importlib.import_module(name)\n"
              "print('reflex' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
