"""My account: change my own password."""

import streamlit as st

from forecasting import accounts
from forecasting.config import settings
from forecasting.textlimits import markdown_escape
from ui import state
from ui.actions import call_service, show_flash
from ui.i18n import tr

st.title(tr("account.title"))
actor = state.require_actor()
show_flash("account")  # "密码已修改。" after a first own password (the run that follows builds every page)
st.write(f"**{markdown_escape(actor.display_name)}** · {markdown_escape(actor.username)} · {tr('role.' + actor.role)}")
must_change = accounts.password_must_change(state.database(), actor.user_id)
if must_change:  # an administrator's new account or reset: the other pages wait for the user's own password
    st.warning(tr("account.must_change"), icon=":material/lock_reset:")

with st.form("change_password", clear_on_submit=True):
    st.subheader(tr("account.change_password"))
    old = st.text_input(tr("account.old_password"), type="password", autocomplete="current-password")
    new = st.text_input(tr("account.new_password"), type="password", autocomplete="new-password")
    again = st.text_input(tr("account.repeat_password"), type="password", autocomplete="new-password")
    st.caption(tr("account.policy", n=settings().password_min_length))
    if st.form_submit_button(tr("common.save"), type="primary"):
        if new != again:
            st.error(tr("account.passwords_differ"))
        else:
            call_service(accounts.change_password, state.database(), actor, old, new,
                         keep_session_id=state.session_id(), success=tr("account.password_changed"),
                         # the other pages open now: the navigation is built again
                         **({"flash": "account"} if must_change else {}))
