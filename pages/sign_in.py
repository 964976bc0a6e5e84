"""Sign-in page (the only page before signing in)."""

import streamlit as st

from forecasting import accounts
from forecasting.demo import DEMO_PASSWORD, DEMO_USERS, is_demo
from forecasting.errors import ForecastingError
from ui import state
from ui.i18n import error_text, tr

st.title(tr("app.title"))
st.caption(tr("app.subtitle"))

reason = st.session_state.pop("signed_out_reason", None)
if reason == "signed_out":
    st.info(tr("signin.signed_out"))
elif reason == "expired":
    st.warning(tr("signin.expired"))

left, _ = st.columns([1, 1])
with left:
    with st.form("sign_in", enter_to_submit=True):
        st.subheader(tr("signin.title"))
        username = st.text_input(tr("signin.username"), key="signin_username", autocomplete="username")
        password = st.text_input(tr("signin.password"), type="password", key="signin_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(tr("signin.submit"), type="primary")
    if submitted:
        try:
            result = accounts.authenticate(state.database(), username, password, user_agent=state.user_agent())
        except ForecastingError as exc:
            st.error(error_text(exc))
        else:
            state.sign_in(result)
            st.rerun()
    st.caption(tr("signin.hint"))
    if is_demo(state.database()):
        names = ", ".join(u[0] for u in DEMO_USERS)
        st.caption(tr("signin.demo_hint", users=names, password=DEMO_PASSWORD))
