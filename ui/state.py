"""Per-user state of a browser tab, and the process-wide database handle.

Only ids live in ``st.session_state`` (DESIGN.md): the server-side sign-in session id and the
chosen language. The actor is re-read from the database on every run, so a disabled user, an
ended or idle session takes effect at the next click.
"""

from __future__ import annotations

from datetime import date, time

import streamlit as st
from streamlit.errors import StreamlitAPIException

from forecasting import accounts
from forecasting.config import settings
from forecasting.i18n import DEFAULT_LANGUAGE, LANGUAGES
from forecasting.permissions import Actor
from forecasting.store.db import Database, get_database

COOKIE_NAME = "aqf_session"
#: The browser's language choice (a preference, not a secret: readable by the page, one year): a
#: reload, a new tab or the next day opens in the language the user chose, not the default.
LANG_COOKIE = "aqf_lang"
_SESSION_KEY = "auth_session_id"
_LANG_KEY = "lang"
#: Set by :func:`sign_out`: the next run leaves the signed-out user's page address (``ui.navigation``).
SIGNED_OUT_HERE = "_signed_out_here"
#: The user whose pages this tab's state holds (what they typed and did not save, the filters they chose).
_OWNER_KEY = "_tab_owner"


@st.cache_resource(max_entries=4)
def _database(url: str) -> Database:
    return get_database(url)


def database() -> Database:
    """One engine per process and URL (shared across users: it holds no user data)."""
    return _database(settings().database_url)


def language() -> str:
    """The tab's language: chosen in this tab, else remembered by the browser, else the default."""
    if _LANG_KEY not in st.session_state:
        remembered = st.context.cookies.get(LANG_COOKIE)  # None without a browser request (AppTest)
        st.session_state[_LANG_KEY] = remembered if remembered in LANGUAGES else settings().language
    return st.session_state[_LANG_KEY]


def set_language(lang: str) -> None:
    """Switch this tab's language and let the browser remember it (:func:`sync_cookie`)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    st.session_state[_LANG_KEY] = lang
    st.session_state["pending_lang"] = lang


def _is_choice(value) -> bool:
    """Whether ``value`` can be a choice widget's (a select box, radio, multiselect, date, number or text):
    not a button's, a toggle's or a check box's (``bool``), an uploader's (files), a table's or an
    editor's selection (``dict``), nor unset (``None``)."""
    plain = (str, int, float, date, time)
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, plain):
        return True
    # an empty list has no label to redraw (and may be a file uploader's: read-only)
    return (isinstance(value, (list, tuple)) and len(value) > 0
            and all(isinstance(v, plain) and not isinstance(v, bool) for v in value))


def redraw_choices() -> None:
    """After a language switch: every widget shows its choice in the new language.

    A select box, radio or multiselect with a key keeps showing the label of its choice in the language it
    was drawn in (a tour read "全部时效" and "区县" on the English verification page, "管理人员" on the users
    page, and no option chosen in the model guidance's radios), whatever the page draws next, since its key
    and so its identity in the browser stay the same. Writing a value through the Session State API makes
    Streamlit send it to the browser again, drawn with the new labels; the value is the same."""
    for key in [k for k in st.session_state.keys() if isinstance(k, str) and not k.startswith("$$")]:
        value = st.session_state[key]
        if _is_choice(value):
            try:
                st.session_state[key] = value
            except StreamlitAPIException:  # a widget already drawn in this run: the language switch itself
                pass


def language_key(base: str) -> str:
    """A widget key that changes with the tab's language, carrying the chosen value over.

    A select box keeps showing the label of its chosen option in the language it was chosen in after the
    tab switches language (a tour read "全部" and "2026年第334期" on the English reports page until a
    reload): a new key per language makes the browser draw it afresh, with the same value."""
    lang = language()
    key = f"{base}.{lang}"
    if key not in st.session_state:
        for other in LANGUAGES:
            if other != lang and f"{base}.{other}" in st.session_state:
                st.session_state[key] = st.session_state[f"{base}.{other}"]
                break
    return key


def _cookie_token() -> str | None:
    # without a browser request behind the run (AppTest, bare mode) Streamlit returns None or, under
    # AppTest, a mock object: only a string is a token
    value = st.context.cookies.get(COOKIE_NAME)
    return value if isinstance(value, str) else None


def user_agent() -> str:
    value = st.context.headers.get("User-Agent")  # None without a browser request (AppTest, bare mode)
    return value if isinstance(value, str) else ""


def actor() -> Actor | None:
    """The actor ``app.py`` resolved for this run (pages call this)."""
    return st.session_state.get("_actor")


def require_actor() -> Actor:
    """The signed-in actor, or stop the page (a page file run without ``app.py`` shows nothing)."""
    actor = st.session_state.get("_actor")
    if actor is None:
        st.stop()
    return actor


def current_actor() -> Actor | None:
    """The signed-in actor of this tab, from its server-side session or from the HttpOnly cookie
    (a refreshed page or a new tab). ``None`` when nobody is signed in or the session ended."""
    db = database()
    session_id = st.session_state.get(_SESSION_KEY)
    if session_id:
        actor = accounts.resolve_session(db, session_id)
        if actor is not None:
            st.session_state.setdefault(_OWNER_KEY, actor.user_id)
            return actor
        st.session_state.pop(_SESSION_KEY, None)
        st.session_state["signed_out_reason"] = "expired"
        return None
    if st.session_state.get("_cookie_dead"):
        return None
    resolved = accounts.resolve_token(db, _cookie_token())
    if resolved is None:
        return None
    st.session_state[_SESSION_KEY] = resolved[0]
    # a reloaded page or a new tab, signed in by the cookie: its pages are this user's (see sign_in)
    st.session_state.setdefault(_OWNER_KEY, resolved[1].user_id)
    return resolved[1]


#: What a tab keeps whoever signs in: its sign-in, language, cookie hand-over and the sign-in form itself.
_TAB_KEYS = frozenset({_SESSION_KEY, _LANG_KEY, "pending_lang", "pending_bind", "pending_unbind", "_cookie_dead",
                       SIGNED_OUT_HERE, "signed_out_reason", _OWNER_KEY, "_actor", "signin_username",
                       "signin_password"})


def forget_pages() -> None:
    """Drop every page's state of this tab (forms typed and not saved, choices, kept files), not the tab's own
    (:data:`_TAB_KEYS`) nor Streamlit's."""
    for key in list(st.session_state.keys()):
        if key not in _TAB_KEYS and not str(key).startswith("$$"):
            del st.session_state[key]


def sign_in(result: accounts.SignIn) -> None:
    """This tab is now ``result``'s. Someone else's pages are forgotten first: after a sign-out or an expired
    session on a shared computer, the next forecaster of the same district found the last one's unsaved
    analysis in the room's form, and saving sent it in their own name (a tour). The same person signing in
    again after their session expired finds their form as they left it."""
    if st.session_state.get(_OWNER_KEY) not in (None, result.actor.user_id):
        forget_pages()
    st.session_state[_OWNER_KEY] = result.actor.user_id
    st.session_state[_SESSION_KEY] = result.session_id
    st.session_state["pending_bind"] = result.bind_ticket
    st.session_state.pop("signed_out_reason", None)
    st.session_state.pop("_cookie_dead", None)


def sign_out() -> None:
    accounts.sign_out(database(), st.session_state.pop(_SESSION_KEY, None))
    st.session_state["pending_unbind"] = True
    # the cookie this tab's connection was opened with is dead on the server; don't retry it
    st.session_state["_cookie_dead"] = True
    st.session_state["signed_out_reason"] = "signed_out"
    st.session_state[SIGNED_OUT_HERE] = True  # ui.navigation sends the tab back to the start page


def session_id() -> int | None:
    return st.session_state.get(_SESSION_KEY)


_BIND_JS = """<script>
fetch("/auth/bind", {method: "POST", credentials: "same-origin",
  headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "ticket=%s"});
</script>"""
_LANG_JS = """<script>
document.cookie = "%s=%s; path=/; max-age=31536000; samesite=lax";
</script>"""
_UNBIND_JS = """<script>
fetch("/auth/logout", {method: "POST", credentials: "same-origin"});
</script>"""


def sync_cookie() -> None:
    """After sign-in, let the browser exchange the one-time ticket for its HttpOnly cookie;
    after sign-out, let it drop the cookie; after a language switch, let it remember the language.
    The ticket is URL-safe base64 from ``secrets``; the language one of :data:`LANGUAGES`."""
    ticket = st.session_state.pop("pending_bind", None)
    if ticket and all(c.isalnum() or c in "-_" for c in ticket):
        st.html(_BIND_JS % ticket, unsafe_allow_javascript=True)
    if st.session_state.pop("pending_unbind", None):
        st.html(_UNBIND_JS, unsafe_allow_javascript=True)
    lang = st.session_state.pop("pending_lang", None)
    if lang in LANGUAGES:
        st.html(_LANG_JS % (LANG_COOKIE, lang), unsafe_allow_javascript=True)


def note_page(url_path: str) -> None:
    """Record the page this (full) run shows; :func:`arrived` tells a page's first run after another page
    from its own reruns (a fragment's reruns do not pass here)."""
    st.session_state["_page_before"] = st.session_state.get("_page_now")
    st.session_state["_page_now"] = url_path


def arrived() -> bool:
    """True on a page's first full run after another page was shown (or the first run of the tab)."""
    return st.session_state.get("_page_before") != st.session_state.get("_page_now")


def keep_widgets(kept_key: str, keys: list[str]) -> None:
    """Keep what a page's inputs hold while another page is shown, for :func:`restore_widgets`.

    Streamlit drops an input's value at the end of a run that did not draw it: two tours went from the
    consultation room to the home page and back and found the form empty, the draft and what they had
    typed too. Call after the inputs are drawn; the copy is plain session state, which Streamlit keeps."""
    st.session_state[kept_key] = {k: st.session_state.get(k) for k in keys}


def keep_widget(kept_key: str, key: str) -> None:
    """An input's ``on_change``: keep its new value at once (:func:`keep_widgets` keeps the values at the end of
    a run of the page, which a value sent with a switch to another page never gets)."""
    st.session_state.setdefault(kept_key, {})[key] = st.session_state.get(key)


def restore_widgets(kept_key: str) -> None:
    """On arrival from another page (:func:`arrived`), put back the values :func:`keep_widgets` kept; on
    the page's own reruns nothing is touched (a box cleared by the user stays cleared). Call before the
    inputs are drawn."""
    kept = st.session_state.get(kept_key)
    if not kept:
        return
    back = arrived()
    for key, value in kept.items():
        # on arrival every input; on any other run an input whose value Streamlit dropped (its key is gone: a
        # run of the page was cut short by the switch, and the arrival's own run by a rerun, so a CI run found
        # the third day's box empty), never one the user cleared (its key holds None)
        if back or key not in st.session_state:
            st.session_state[key] = value
