"""Who may import whom (DEVELOPERS.md), for every module: the import-linter contracts of
pyproject.toml, and what importing the whole domain actually loads."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACTS = PYPROJECT["tool"]["importlinter"]["contracts"]
DOMAIN = ("claims", "sources", "clock")


def _packaged() -> set[str]:
    """The top-level packages claimdesk installs (``[tool.setuptools.packages.find]``)."""
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    return {pattern.removesuffix("*") for pattern in include}


def _modules_on_disk(root: str) -> set[str]:
    """Every module of package ``root``, named from its files."""
    names = set()
    for path in (ROOT / root).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _import_everything(roots: tuple[str, ...]) -> tuple[list[str], set[str]]:
    """Import every module of ``roots`` in a fresh interpreter: (imported, all it loaded)."""
    code = f"""
import importlib, json, pkgutil, sys
imported = []
for root in {list(roots)!r}:
    package = importlib.import_module(root)
    imported.append(root)
    for info in pkgutil.walk_packages(package.__path__, root + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
print(json.dumps({{"imported": imported, "loaded": sorted(sys.modules)}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    answer = json.loads(out.splitlines()[-1])
    return answer["imported"], set(answer["loaded"])


def _loaded(loaded: set[str], package: str) -> set[str]:
    return {name for name in loaded if name == package or name.startswith(package + ".")}


@pytest.mark.parametrize("contract", [c["id"] for c in CONTRACTS])
def test_every_module_keeps_the_import_contract(contract: str) -> None:
    status = lint_imports(
        config_filenames=(str(ROOT / "pyproject.toml"),),
        limit_to_contracts=(contract,),
        no_cache=True,
        no_logo=True,
    )
    assert status == 0, f"import contract {contract!r} is broken: run lint-imports"


def test_the_contracts_cover_every_installed_package() -> None:
    config = PYPROJECT["tool"]["importlinter"]
    floors = next(c for c in CONTRACTS if c["id"] == "floors")
    assert set(config["root_packages"]) == _packaged()
    assert set(floors["layers"]) == _packaged()


def test_importing_the_whole_domain_loads_no_web_framework() -> None:
    imported, loaded = _import_everything(DOMAIN)
    assert set(imported) == set().union(*(_modules_on_disk(root) for root in DOMAIN))
    assert "claims.scoring.score" in imported and "sources.urls" in imported
    for framework in ("flask", "werkzeug", "flask_babel", "flask_wtf", "flask_limiter"):
        assert not _loaded(loaded, framework), framework


def test_importing_the_whole_source_domain_loads_no_claim_module() -> None:
    imported, loaded = _import_everything(("sources", "clock"))
    assert set(imported) == _modules_on_disk("sources") | _modules_on_disk("clock")
    assert not _loaded(loaded, "claims")
    assert not _loaded(loaded, "service")


def test_the_clock_loads_nothing_of_ours() -> None:
    _, loaded = _import_everything(("clock",))
    for package in ("claims", "sources", "service"):
        assert not _loaded(loaded, package), package
