"""The domain packages stay free of the web framework, and sources/ free of claims/."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN_MODULES = [
    "claims.scoring",
    "claims.matching",
    "claims.text",
    "claims.independence",
    "claims.policy",
    "claims.models",
    "claims.schemas",
    "claims.services.ledger",
    "claims.services.evidence",
    "claims.services.relations",
    "claims.services.verdicts",
    "claims.services.sources",
    "sources.urls",
    "sources.dates",
    "sources.models",
    "sources.service",
    "sources.fetch",
    "sources.ssrf",
    "sources.extract",
    "sources.anchor",
    "sources.snapshots",
    "sources.watch",
    "claims.anchoring",
    "claims.claimreview_import",
    "claims.services.anchoring",
    "claims.services.claimreviews",
]


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_importing_the_domain_does_not_import_flask(module: str) -> None:
    loaded = _loaded_after_import(module)
    assert "flask" not in loaded
    assert "werkzeug" not in loaded


@pytest.mark.parametrize("module", [m for m in DOMAIN_MODULES if m.startswith("sources.")])
def test_the_source_domain_never_imports_the_claim_domain(module: str) -> None:
    loaded = _loaded_after_import(module)
    assert not any(name == "claims" or name.startswith("claims.") for name in loaded)
