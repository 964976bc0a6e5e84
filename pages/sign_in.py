"""Sign-in page (the only page before signing in)."""

import streamlit as st

from forecasting import accounts
from forecasting.demo import DEMO_PASSWORD, DEMO_USERS, is_demo, todays_seats
from forecasting.errors import ForecastingError
from forecasting.vocab import beijing_today
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
        # whom to sign in as to try the chief's desk: the seat rotates weekly
        seats = {seat: user for user, seat in todays_seats(state.database(), beijing_today()).items()}
        if "chief" in seats:
            st.caption(tr("signin.demo_duty", chief=seats["chief"], deputy=seats.get("deputy", "—")))
