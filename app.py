"""Entry point: sign-in, language, and the page list for the signed-in user's role.

Run through ``server.py`` (``make run``), which adds the cookie routes around this script.
"""

from pathlib import Path

import streamlit as st

from forecasting import accounts
from forecasting.demo import demo_day, demo_state, is_demo
from forecasting.i18n import t
from forecasting.textlimits import markdown_escape  # user text shown as typed (#15)
from forecasting.vocab import beijing_today
from ui import navigation, state
from ui.build_progress import show_if_building
from ui.i18n import signed_in_name
from ui.resilience import run_guarded

# a bundled favicon: a ":material/...:" page icon makes the browser fetch an SVG from the internet
st.set_page_config(page_title="长三角示范区空气质量联合预报会商", page_icon=str(Path(__file__).parent / "ui" / "favicon.png"),
                   layout="wide")

lang = state.language()
if lang == "zh":  # Streamlit's own hint under a text field ("Press Enter to apply") exists in English only
    st.html("<style>[data-testid='InputInstructions']{display:none}</style>")
actor = run_guarded(state.current_actor, lang, where="actor")  # a database failure: retryable message, input kept (#15)
st.session_state["_actor"] = actor  # ids and facts only, re-read from the database every run

with st.sidebar:
    choice = st.segmented_control(
        t("common.language", lang), options=["zh", "en"], default=lang,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code], key="lang_switch",
    )
    if choice and choice != lang:
        state.set_language(choice)
        state.redraw_choices()  # the choices of select boxes and radios in the new language too
        st.rerun()
    if actor is not None:
        st.caption(t("sidebar.signed_in_as", lang, name=markdown_escape(signed_in_name(actor, lang))))
        if st.button(t("sidebar.sign_out", lang), key="sign_out", icon=":material/logout:"):
            state.sign_out()
            st.rerun()

# the first `make run`: while the demo world is built beside the app, its progress instead of the sign-in (#16)
show_if_building(lang)

demo, world, built_for = run_guarded(
    lambda: (is_demo(state.database()), demo_state(state.database()), demo_day(state.database())), lang,
    where="banner") or (False, None, None)
if demo:
    # a demo world is built for one day: days later nothing has arrived since, and the banner says so and how to
    # build one for today (a newcomer back after a weekend met a room of "模式 0/3 已到" and no session)
    days_since = (beijing_today() - built_for).days if built_for is not None else 0
    st.warning(t("app.demo_banner", lang) + ("\n\n" + t("app.demo_stale", lang, day=built_for.isoformat(),
                                                         n=days_since) if days_since > 0 else ""),
               icon=":material/science:")
if world == "partial":  # a half-built demo world is never served (issue #16)
    st.info(t("dev16.demo_building", lang), icon=":material/hourglass_top:")
    st.stop()

state.sync_cookie()


# an address that is no page (a mistyped or an old bookmark) was sent here by server.py: say so, once
missing = st.query_params.get("missing")
if missing is not None:
    st.warning(t("nav.missing", lang, name=markdown_escape(str(missing)[:60])), icon=":material/link_off:")
    del st.query_params["missing"]


def _run_page() -> None:
    must_change = actor is not None and accounts.password_must_change(state.database(), actor.user_id)
    page = navigation.build(actor, must_change_password=must_change)
    state.note_page(page.url_path)  # a form knows when it is returned to (ui.state.restore_widgets)
    page.run()


run_guarded(_run_page, lang)
