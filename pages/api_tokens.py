"""Personal API tokens: create (shown once), list and revoke your own; an admin lists and revokes everyone's."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from forecasting import accounts, tokens
from forecasting.errors import ForecastingError
from ui import state
from ui.actions import call_service, show_flash
from ui.consultation import bj
from ui.i18n import error_text, tr, who

db = state.database()
actor = state.require_actor()

st.title(tr("tokens.title"))
st.caption(tr("tokens.caption_admin" if actor.is_admin else "tokens.caption"))

fresh = st.session_state.pop("tokens_fresh", None)
if fresh:
    st.success(tr("tokens.created"))
    st.code(fresh, language=None)
show_flash("tokens")

with st.form("token_create", clear_on_submit=True):
    name = st.text_input(tr("tokens.name"), max_chars=tokens.MAX_NAME, key="token_name")
    # a token acts as its owner: everyone creates their own (administrators list and revoke anyone's)
    submitted = st.form_submit_button(tr("tokens.create"))
    if submitted and not name.strip():
        # a token without a name shows in the list as "#1 wj_zhao V1Jm…": nobody can tell what to revoke
        st.error(tr("tokens.name_required"))
    elif submitted:
        try:
            _view, secret = tokens.create_token(db, actor, name=name)
        except ForecastingError as exc:
            st.error(error_text(exc))
        else:
            st.session_state["tokens_fresh"] = secret  # shown once, on the next run, then dropped
            st.rerun()

try:
    mine = tokens.list_tokens(db, actor)
except ForecastingError as exc:
    st.error(error_text(exc))
    st.stop()
if not mine:
    st.info(tr("tokens.none"))
    st.stop()
# owners by name, as every other page names people ("系统管理员（admin）"; a tour read the login alone)
people = ({u.username: u.display_name for u in accounts.list_users(db, actor)} if actor.is_admin
          else {actor.username: actor.display_name})
st.dataframe(pd.DataFrame([{
    tr("tokens.col_id"): t.id,
    tr("tokens.col_owner"): who(t.username, people),
    tr("tokens.col_name"): t.name,
    tr("tokens.col_prefix"): t.prefix + "…",
    tr("tokens.col_created"): bj(t.created_at, "%Y-%m-%d %H:%M"),
    tr("tokens.col_last_used"): bj(t.last_used_at, "%Y-%m-%d %H:%M") or "—",
    tr("tokens.col_state"): tr("tokens.active") if t.active else tr("tokens.revoked"),
} for t in mine]), hide_index=True, placeholder="—", width="stretch")

active = {t.id: f"#{t.id} {who(t.username, people)} {t.prefix}… {t.name}" for t in mine if t.active}
if active:
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox(tr("tokens.pick"), list(active), format_func=active.get, key="token_pick")
    if c2.button(tr("tokens.revoke"), key="token_revoke"):
        call_service(tokens.revoke_token, db, actor, pick, flash="tokens",
                     success=tr("tokens.revoked_ok", id=pick))
