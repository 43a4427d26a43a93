"""Signing in and out, and the language switch."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.accounts import LoginIn, authenticate_user
from service.db import commit_or_conflict, get_session
from service.web import bp, forms, i18n, ratelimit
from service.web.auth import current_user, safe_next, sign_in, sign_out


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in with a username and password (failed attempts are rate-limited per client)."""
    state = forms.read(forms.LOGIN_FORM)
    if request.method == "GET":
        state.values["next"] = request.args.get("next", "")
        return render_template("web/login.html", form=state)
    ratelimit.check("login")
    credentials = forms.validate(
        LoginIn, {k: state.values[k] for k in ("username", "password")}, state
    )
    state.values["password"] = ""  # never sent back to the browser
    if credentials is None:
        return render_template("web/login.html", form=state), 422
    user = authenticate_user(session=get_session(), login=credentials)
    if user is None:
        ratelimit.spend("login")
        state.add(forms.FORM_ERROR, _("Unknown username or wrong password."))
        return render_template("web/login.html", form=state)
    sign_in(user)
    commit_or_conflict(get_session())
    flash(_("Signed in as %(name)s.", name=user.username), "success")
    return redirect(safe_next(state.values.get("next"), url_for("web.home")), code=303)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out (a POST with the CSRF token, so another site cannot sign people out)."""
    if current_user() is not None:
        sign_out()
        commit_or_conflict(get_session())
        flash(_("Signed out."), "success")
    return redirect(url_for("web.home"), code=303)


@bp.post("/language")
def language() -> ResponseReturnValue:
    """Remember the chosen interface language and go back to the page it was chosen on."""
    chosen = request.form.get("language", "")
    response = redirect(safe_next(request.form.get("next"), url_for("web.home")), code=303)
    if chosen in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE,
            chosen,
            max_age=i18n.COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response
