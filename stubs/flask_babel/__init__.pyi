# Types for the part of Flask-Babel 4 that claimdesk uses. Flask-Babel annotates little and
# ships no py.typed, so without this every gettext() would be Any under mypy --strict.
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

from babel import Locale
from flask import Flask
from flask_babel.speaklater import LazyString as LazyString

class Babel:
    date_formats: dict[str, str | None] | None
    def __init__(
        self,
        app: Flask | None = None,
        date_formats: dict[str, str | None] | None = None,
        configure_jinja: bool = True,
        *,
        default_locale: str = "en",
        default_domain: str = "messages",
        default_translation_directories: str = "translations",
        default_timezone: str = "UTC",
        locale_selector: Callable[[], str | Locale | None] | None = None,
        timezone_selector: Callable[[], str | tzinfo | None] | None = None,
    ) -> None: ...
    def init_app(
        self,
        app: Flask,
        default_locale: str = "en",
        default_domain: str = "messages",
        default_translation_directories: str = "translations",
        default_timezone: str = "UTC",
        locale_selector: Callable[[], str | Locale | None] | None = None,
        timezone_selector: Callable[[], str | tzinfo | None] | None = None,
    ) -> None: ...

def get_locale() -> Locale | None: ...
def refresh() -> None: ...
def force_locale(locale: str | Locale) -> AbstractContextManager[None]: ...
def gettext(string: str, /, **variables: object) -> str: ...
def ngettext(singular: str, plural: str, num: int, /, **variables: object) -> str: ...
def pgettext(context: str, string: str, /, **variables: object) -> str: ...
def lazy_gettext(string: str, /, **variables: object) -> LazyString: ...
def lazy_ngettext(singular: str, plural: str, num: int, /, **variables: object) -> LazyString: ...
def format_date(
    date: date | datetime | None = None, format: str | None = None, rebase: bool = True
) -> str: ...
def format_time(
    time: time | datetime | None = None, format: str | None = None, rebase: bool = True
) -> str: ...
def format_datetime(
    datetime: datetime | None = None, format: str | None = None, rebase: bool = True
) -> str: ...
def format_number(number: float | Decimal) -> str: ...
def format_decimal(number: float | Decimal, format: str | None = None) -> str: ...
def format_percent(number: float | Decimal, format: str | None = None) -> str: ...
