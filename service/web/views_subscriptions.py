"""Admins' pages for webhook subscriptions: create, pause, rotate, delete, see deliveries.

The same services as ``/api/v1/subscriptions``. A secret is shown once, on the page that
answers its creation or rotation (never in a redirect, a flash cookie or a later page).
Subscriptions the worker paused after a day of failures are listed first, with the reason, so
the admin sees them and can tell their owner.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from claims.errors import InvalidRequest, NotFound
from claims.notices import subscriptions
from claims.notices.models import EventType, SubscriptionState
from claims.notices.schemas import SubscriptionCreate, SubscriptionUpdate
from claims.policy import Action
from service.db import commit_or_conflict, get_session
from service.runtime import current_runtime
from service.web import bp, forms
from service.web.auth import current_actor, requires
from service.webhook_sender import refusal

FORM = ("url", "description", "filter_kind", "filter_value")
FILTER_KINDS = ("claim_id", "claimant_id", "tag")
FIELDS = {"filter": "filter_value", "events": "events", forms.FORM_ERROR: "url"}


def _list_page(
    state: forms.FormState | None = None,
    *,
    chosen: list[str] | None = None,
    secret: str | None = None,
    created: int | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    rows, _total = subscriptions.list_subscriptions(
        session=get_session(), actor=current_actor(), limit=500
    )
    shown = [subscriptions.to_public(s) for s in rows]
    # Paused by failures first: they need someone to act.
    shown.sort(key=lambda s: (s.state != SubscriptionState.paused.value, s.id))
    body = render_template(
        "web/admin_subscriptions.html",
        subscriptions=shown,
        form=state or forms.FormState(values={"filter_kind": ""}),
        chosen=chosen or [],
        event_types=[e.value for e in EventType],
        filter_kinds=FILTER_KINDS,
        secret=secret,
        created=created,
    )
    return body, status


@bp.get("/admin/subscriptions")
@requires(Action.administer)
def admin_subscriptions() -> ResponseReturnValue:
    """Every subscription, the paused ones first, and a form to add one."""
    return _list_page()


def _filter_input(values: dict[str, str]) -> dict[str, Any]:
    kind, value = values.get("filter_kind", ""), values.get("filter_value", "").strip()
    if kind in FILTER_KINDS and value:
        return {kind: value}
    return {}


@bp.post("/admin/subscriptions")
@requires(Action.administer)
def admin_create_subscription() -> ResponseReturnValue:
    """Add a subscription; the answer shows its secret once."""
    state = forms.read(FORM)
    chosen = request.form.getlist("events")
    data: dict[str, Any] = {
        **forms.present(state.values, "url", "description"),
        "events": chosen,
        "filter": _filter_input(state.values),
    }
    if state.values.get("filter_kind") and not state.values.get("filter_value", "").strip():
        state.add("filter_value", _("This field is required."))
    created = forms.validate(SubscriptionCreate, data, state, fields=FIELDS)
    if created is not None:
        why = refusal(created.url, current_runtime().settings.allowlist())
        if why is not None:
            state.add("url", why)
    if created is None or not state.ok:
        return _list_page(state, chosen=chosen, status=422)
    session = get_session()
    try:
        subscription = subscriptions.create_subscription(
            session=session, subscription_in=created, actor=current_actor()
        )
    except NotFound as exc:
        session.rollback()
        state.add("filter_value", str(exc))
        return _list_page(state, chosen=chosen, status=422)
    secret, new_id = subscription.secret, subscription.id
    commit_or_conflict(session)
    return _list_page(secret=secret, created=new_id, status=201)


def _change(subscription_id: int, change: SubscriptionUpdate) -> tuple[bool, str | None]:
    """Apply the change: (done, the new secret if one was issued); a refusal is flashed."""
    session = get_session()
    try:
        _, issued = subscriptions.update_subscription(
            session=session,
            subscription_id=subscription_id,
            subscription_in=change,
            actor=current_actor(),
        )
    except InvalidRequest as exc:
        session.rollback()
        flash(str(exc), "error")
        return False, None
    commit_or_conflict(session)
    return True, issued


@bp.post("/admin/subscriptions/<int:subscription_id>/pause")
@requires(Action.administer)
def admin_pause_subscription(subscription_id: int) -> ResponseReturnValue:
    """Stop sending until resumed; deliveries wait."""
    done, _secret = _change(subscription_id, SubscriptionUpdate(paused=True))
    if done:
        flash(_("Subscription #%(id)s paused.", id=subscription_id), "success")
    return redirect(url_for("web.admin_subscriptions"), code=303)


@bp.post("/admin/subscriptions/<int:subscription_id>/resume")
@requires(Action.administer)
def admin_resume_subscription(subscription_id: int) -> ResponseReturnValue:
    """Send again, starting with what waited."""
    done, _secret = _change(subscription_id, SubscriptionUpdate(paused=False))
    if done:
        flash(_("Subscription #%(id)s resumed.", id=subscription_id), "success")
    return redirect(url_for("web.admin_subscriptions"), code=303)


@bp.post("/admin/subscriptions/<int:subscription_id>/rotate")
@requires(Action.administer)
def admin_rotate_secret(subscription_id: int) -> ResponseReturnValue:
    """A new secret, shown once; the old one signs too for a day."""
    _done, issued = _change(subscription_id, SubscriptionUpdate(rotate_secret=True, grace_hours=24))
    if issued is None:
        return redirect(url_for("web.admin_subscriptions"), code=303)
    return _list_page(secret=issued, created=subscription_id)


@bp.post("/admin/subscriptions/<int:subscription_id>/delete")
@requires(Action.administer)
def admin_delete_subscription(subscription_id: int) -> ResponseReturnValue:
    """Stop for good; the record of its deliveries stays."""
    session = get_session()
    subscriptions.delete_subscription(
        session=session, subscription_id=subscription_id, actor=current_actor()
    )
    commit_or_conflict(session)
    flash(_("Subscription #%(id)s deleted.", id=subscription_id), "success")
    return redirect(url_for("web.admin_subscriptions"), code=303)


@bp.get("/admin/subscriptions/<int:subscription_id>")
@requires(Action.administer)
def admin_subscription(subscription_id: int) -> ResponseReturnValue:
    """One subscription's latest deliveries with each attempt."""
    session = get_session()
    actor = current_actor()
    subscription = subscriptions.to_public(
        subscriptions.get_subscription(
            session=session, subscription_id=subscription_id, actor=actor
        )
    )
    rows, total = subscriptions.list_deliveries(
        session=session, subscription_id=subscription_id, actor=actor, limit=100
    )
    return render_template(
        "web/admin_subscription.html", subscription=subscription, deliveries=rows, total=total
    )


@bp.post("/admin/subscriptions/<int:subscription_id>/deliveries/<int:delivery_id>/retry")
@requires(Action.administer)
def admin_retry_delivery(subscription_id: int, delivery_id: int) -> ResponseReturnValue:
    """Send one delivery again now."""
    session = get_session()
    try:
        subscriptions.retry_delivery(
            session=session,
            subscription_id=subscription_id,
            delivery_id=delivery_id,
            actor=current_actor(),
        )
    except InvalidRequest as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        commit_or_conflict(session)
        flash(_("Delivery #%(id)s sent again.", id=delivery_id), "success")
    return redirect(url_for("web.admin_subscription", subscription_id=subscription_id), code=303)
