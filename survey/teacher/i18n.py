"""Languages for the teacher's pages: Simplified Chinese by default, English on request.

The source strings are Chinese, so a missing English catalogue degrades to the default language,
never to a blank. The choice is remembered in Flask's signed session cookie; every time shown is
in Asia/Shanghai (stored times stay UTC).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from flask import Flask, current_app, g, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from ops.urls import local_target

LANGS = {"zh-CN": "zh_Hans_CN", "en": "en"}
DEFAULT_LANG = "zh-CN"
SHANGHAI = ZoneInfo("Asia/Shanghai")
COOKIE_KEY = "lang"
CATALOGUES = "xinan.catalogues"  # app.extensions: the catalogue of each language, once loaded


def current_lang() -> str:
    """``"zh-CN"`` or ``"en"``: the choice in the session cookie, else the default."""
    chosen = session.get(COOKIE_KEY)
    return chosen if isinstance(chosen, str) and chosen in LANGS else DEFAULT_LANG


def _locale() -> str:
    return LANGS[current_lang()]


def _catalogue() -> NullTranslations:
    """This request's catalogue for its language (the language cannot change mid-request)."""
    found: NullTranslations | None = g.get("xinan_catalogue")
    if found is None:
        # One per language for the app's life, as Flask-Babel keeps them too; asking Flask-Babel
        # costs more per request than a page's strings do.
        by_lang: dict[str, NullTranslations] = current_app.extensions[CATALOGUES]
        lang = current_lang()
        found = by_lang.get(lang)
        if found is None:
            found = by_lang[lang] = get_translations()
        g.xinan_catalogue = found
    return found


def install_i18n(app: Flask) -> None:
    """Flask-Babel with our locale and time zone, and ``lang`` in every template."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGS[DEFAULT_LANG])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    Babel(app, locale_selector=_locale, timezone_selector=lambda: "Asia/Shanghai")
    app.extensions[CATALOGUES] = {}
    # Templates look the catalogue up once per request, not once per string (a page has dozens);
    # install_gettext_callables comes with the i18n extension Flask-Babel adds.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: _catalogue().ugettext(text),
        ngettext=lambda one, many, n: _catalogue().ungettext(one, many, n),
        newstyle=True,
        pgettext=lambda context, text: _catalogue().upgettext(context, text),
        npgettext=lambda context, one, many, n: _catalogue().unpgettext(context, one, many, n),
    )
    app.jinja_env.globals.update(gettext=_gettext, _=_gettext)
    app.jinja_env.globals["current_lang"] = current_lang
    app.jinja_env.filters["local_time"] = local_time


@pass_eval_context
def _gettext(eval_ctx: EvalContext, text: str, **variables: object) -> str:
    """``_()`` and ``gettext()`` in templates, as Jinja's newstyle gettext computes them (marked
    safe under autoescape, always %-formatted with ``variables``). Taking the evaluation context
    rather than the template's: Jinja copies the whole template context for a function that
    takes it and is called inside a block or loop, as most of a page's strings are."""
    found = _catalogue().ugettext(text)
    # The catalogue's text is trusted, as Jinja's own gettext trusts it.
    rv = Markup(found) if eval_ctx.autoescape else found  # noqa: S704
    return rv % variables


def local_time(moment: dt.datetime | None) -> str:
    """``2026-11-29 14:05`` in Asia/Shanghai."""
    if moment is None:
        return ""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def switch_language(code: str) -> ResponseReturnValue:
    """Remember the language and go back where the teacher was (only to a route of this app)."""
    if code in LANGS:
        session[COOKIE_KEY] = code
    return redirect(local_target(request.args.get("next")))
