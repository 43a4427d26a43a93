"""Admins' web pages for webhook subscriptions, in English and French."""

from __future__ import annotations

import re

from sqlalchemy import select

from claims.notices.models import Subscription

SECRET = re.compile(r'<code class="secret-value">(whsec_[A-Za-z0-9+/=]+)</code>')


def test_only_admins_reach_the_subscriptions_pages(signed_in, web):
    assert web.get("/admin/subscriptions").status_code in (302, 303, 401, 403)
    editor = signed_in("editor")
    assert editor.get("/admin/subscriptions").status_code == 403
    admin = signed_in("admin", username="root")
    page = admin.text("/admin/subscriptions")
    assert "Webhook subscriptions" in page and "Webhooks</a>" in page


def test_an_admin_subscribes_and_sees_the_secret_once(signed_in, session):
    admin = signed_in("admin")
    response = admin.post(
        "/admin/subscriptions",
        {
            "url": "https://hooks.example/in",
            "description": "<script>alert(1)</script>",
            "events": "claim.verdict.changed",
            "filter_kind": "tag",
            "filter_value": "Floods",
        },
    )
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    stored = session.scalar(select(Subscription).order_by(Subscription.id.desc()))
    assert stored.secret == secret and stored.filter_tag == "floods"
    assert stored.events == ["claim.verdict.changed"]
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    later = admin.text("/admin/subscriptions")
    assert secret not in later and "hooks.example/in" in later


def test_bad_input_is_shown_beside_the_fields(signed_in):
    admin = signed_in("admin")
    response = admin.post(
        "/admin/subscriptions",
        {"url": "ftp://nope", "filter_kind": "claim_id", "filter_value": "abc"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="url-error"' in page and 'id="filter_value-error"' in page
    assert 'value="ftp://nope"' in page
    loopback = admin.post("/admin/subscriptions", {"url": "http://127.0.0.1:9/x"})
    assert loopback.status_code == 422
    assert "CLAIMDESK_PRIVATE_ALLOWLIST" in loopback.get_data(as_text=True)
    missing = admin.post(
        "/admin/subscriptions", {"url": "https://a.example/", "filter_kind": "tag"}
    )
    assert missing.status_code == 422
    unknown = admin.post(
        "/admin/subscriptions",
        {"url": "https://a.example/", "filter_kind": "claim_id", "filter_value": "999999"},
    )
    assert unknown.status_code == 422 and "claim 999999 does not exist" in unknown.get_data(
        as_text=True
    )


def test_pause_resume_rotate_and_delete_from_the_page(signed_in, session):
    admin = signed_in("admin")
    admin.post("/admin/subscriptions", {"url": "https://hooks.example/x"})
    sid = session.scalar(select(Subscription.id).order_by(Subscription.id.desc()))
    assert admin.post(f"/admin/subscriptions/{sid}/pause").status_code == 303
    assert "paused" in admin.text("/admin/subscriptions")
    assert admin.post(f"/admin/subscriptions/{sid}/resume").status_code == 303
    rotated = admin.post(f"/admin/subscriptions/{sid}/rotate")
    assert rotated.status_code == 200
    assert SECRET.search(rotated.get_data(as_text=True))
    assert admin.post(f"/admin/subscriptions/{sid}/delete").status_code == 303
    assert "hooks.example/x" not in admin.text("/admin/subscriptions")
    assert admin.get(f"/admin/subscriptions/{sid}").status_code == 404


def test_a_paused_subscription_is_listed_first_with_its_reason(signed_in, session):
    admin = signed_in("admin")
    for n in (1, 2):
        admin.post("/admin/subscriptions", {"url": f"https://hooks.example/{n}"})
    second = session.scalar(select(Subscription).order_by(Subscription.id.desc()))
    second.state, second.state_reason = "paused", "paused: a delivery failed 8 times over a day"
    second.consecutive_failures = 8
    session.add(second)
    session.commit()
    page = admin.text("/admin/subscriptions")
    assert page.index("hooks.example/2") < page.index("hooks.example/1")
    assert "failed 8 times over a day" in page and "8 failed attempts in a row" in page


def test_the_pages_are_in_french(signed_in, session):
    admin = signed_in("admin")
    admin.post("/admin/subscriptions", {"url": "https://hooks.example/fr"})
    sid = session.scalar(select(Subscription.id).order_by(Subscription.id.desc()))
    headers = {"Accept-Language": "fr"}
    listing = admin.text("/admin/subscriptions", headers=headers)
    assert "Abonnements webhook" in listing and "Nouvel abonnement" in listing
    detail = admin.text(f"/admin/subscriptions/{sid}", headers=headers)
    assert "Rien n&#39;a encore été envoyé." in detail or "Rien n'a encore été envoyé." in detail
