"""Form input validated by the API's own pydantic classes, with errors placed by each field.

A form is a flat set of strings; the API's Create classes want typed, nested values. The small
``*_input`` functions here only reshape one into the other (empty string -> absent, comma list
-> list, form field name -> schema field name). Every rule is the schema's, so a form and the
API accept and refuse exactly the same things.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

FORM_ERROR = "__form__"


@dataclass
class FormState:
    """What the person typed (kept on re-display) and the errors to show beside each field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        """Attach an error to a field (or to the whole form with ``FORM_ERROR``)."""
        self.errors.setdefault(name, []).append(message)

    @property
    def ok(self) -> bool:
        """Whether no error was found."""
        return not self.errors


def read(names: tuple[str, ...]) -> FormState:
    """The submitted values of the named fields, exactly as typed."""
    return FormState(values={n: request.form.get(n, "") for n in names})


def _message(error: Mapping[str, Any]) -> str:
    """A person-readable, translated message for one pydantic error."""
    return str(_translated(error))


def _translated(error: Mapping[str, Any]) -> object:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return _("This field is required.")
        return _("Use at least %(n)s characters.", n=ctx["min_length"])
    if kind == "string_too_long":
        return _("Use at most %(n)s characters.", n=ctx["max_length"])
    if kind in ("enum", "literal_error"):
        return _("Choose one of the options.")
    if kind in ("int_parsing", "int_type", "greater_than_equal", "less_than_equal"):
        return _("Enter a valid number.")
    if kind == "too_long":
        return _("Too many items.")
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def validate(
    model: type[M],
    data: dict[str, Any],
    state: FormState,
    *,
    fields: Mapping[str, str] | None = None,
) -> M | None:
    """``model`` built from ``data``, or None with the errors added to ``state``.

    ``fields`` maps schema field names to form field names where they differ; an error about
    the whole object goes to the form-level slot.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = [str(p) for p in error["loc"]]
            name = loc[0] if loc else FORM_ERROR
            state.add((fields or {}).get(name, name), _message(error))
        return None


def present(values: Mapping[str, str], *names: str) -> dict[str, str]:
    """The named values that were filled in, stripped (an empty field means "not given")."""
    return {n: values[n].strip() for n in names if values.get(n, "").strip()}


def claim_input(values: Mapping[str, str]) -> dict[str, Any]:
    """Reshape the claim fields of a form into ``ClaimCreate`` input."""
    data: dict[str, Any] = present(values, "text", "said_on", "language")
    data.setdefault("language", "und")
    if values.get("claimant_id", "").strip():
        data["claimant_id"] = values["claimant_id"].strip()
    elif values.get("claimant", "").strip():
        data["claimant_name"] = values["claimant"].strip()
    if values.get("appeared_in_url", "").strip():
        data["appeared_in_url"] = values["appeared_in_url"].strip()
    tags = [t.strip() for t in values.get("tags", "").split(",") if t.strip()]
    if tags:
        data["tags"] = tags
    return data


def confirmed_distinct(values: Mapping[str, str]) -> bool:
    """Whether the person saw the near-duplicate warning for exactly this text and went on.

    The hidden confirmation carries the text it was given for, so editing the text after the
    warning checks the new words for duplicates again.
    """

    def norm(text: str) -> str:
        return text.replace("\r\n", "\n").strip()

    confirmed = norm(values.get("confirm_distinct", ""))
    return bool(confirmed) and confirmed == norm(values.get("text", ""))


# Schema field -> form field, where the claim form names them differently.
CLAIM_FIELDS = {"claimant_name": "claimant", "claimant_id": "claimant"}
CLAIM_FORM = ("text", "claimant", "claimant_id", "said_on", "appeared_in_url", "language", "tags")


def evidence_input(values: Mapping[str, str]) -> dict[str, Any]:
    """Reshape the evidence form into ``EvidenceCreate`` input."""
    data: dict[str, Any] = present(values, "source_url", "source_kind", "stance", "quote", "note")
    return data


EVIDENCE_FORM = ("source_url", "source_kind", "stance", "quote", "note")
EVIDENCE_FIELDS = {FORM_ERROR: "source_url", "source_id": "source_url"}


COUNTER_FORM = (
    *CLAIM_FORM,
    "mode",
    "kind",
    "first_hand",
    "note",
    "other_claim",
    "confirm_distinct",
)
COUNTER_KINDS = ("rebuts", "qualifies", "supports")


def other_claim_id(value: str) -> str:
    """The claim number typed as ``12``, ``#12`` or the claim's page URL, else the input."""
    text = value.strip().rstrip("/")
    tail = text.rsplit("/", 1)[-1].lstrip("#")
    return tail if tail.isdigit() else text


def counter_relation_input(values: Mapping[str, str], *, claim_id: int) -> dict[str, Any]:
    """Reshape the counter-statement form into ``RelationCreate`` input.

    Linking an existing claim posts, on this claim, "that claim <kind>s this one"; a new claim
    is recorded with "this new claim <kind>s ``claim_id``".
    """
    data: dict[str, Any] = present(values, "kind", "note")
    data["first_hand"] = values.get("first_hand") == "1"
    if values.get("mode") == "existing":
        data["subject_id"] = other_claim_id(values.get("other_claim", "")) or None
    else:
        data["object_id"] = claim_id
    return data


COUNTER_FIELDS = {"subject_id": "other_claim", FORM_ERROR: "other_claim"}
VERDICT_FORM = ("rating", "rationale")
RETRACT_FORM = ("reason",)
LOGIN_FORM = ("username", "password", "next")
