"""The README documents every setting by its environment variable."""

from __future__ import annotations

from pathlib import Path

from service.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_with_its_environment_variable() -> None:
    text = README.read_text(encoding="utf-8")
    prefix = Settings.model_config.get("env_prefix", "")
    missing = [
        f"{prefix}{name}".upper()
        for name, field in Settings.model_fields.items()
        if field.exclude is not True and f"`{prefix}{name}`".upper() not in text.upper()
    ]
    assert missing == []
