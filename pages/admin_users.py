"""Admin: create, disable, enable users, reset passwords, assign role and district."""

import pandas as pd
import streamlit as st

from forecasting import accounts, audit_view
from forecasting.errors import ForecastingError
from forecasting.vocab import BEIJING
from forecasting.zone import list_districts
from ui import state
from ui.actions import call_service, show_flash
from ui.consultation import text_width
from ui.i18n import error_text, tr

db = state.database()
actor = state.require_actor()
lang = state.language()

st.title(tr("users.title"))
show_flash("users")

try:
    users = accounts.list_users(db, actor)
except ForecastingError as exc:  # the service decides; a non-admin never gets the list
    st.error(error_text(exc))
    st.stop()

activity = audit_view.user_activity(db, actor)  # issue #18: last sign-in, sessions, tokens
districts = list_districts(db)
district_names = {d.adcode: d.name(lang) for d in districts}


def _locked_until(u) -> str | None:
    """"HH:MM" (Beijing) while the account is locked out, else None."""
    if u.locked_until is not None and u.locked_until > pd.Timestamp.now(tz="UTC"):
        return u.locked_until.astimezone(BEIJING).strftime("%H:%M")
    return None


def _state(u) -> str:
    if not u.is_active:
        return tr("users.disabled")
    until = _locked_until(u)
    if until:
        return tr("users.locked", until=until)
    # an account whose password the administrator set: not yet replaced by its user's own
    return tr("users.active_temporary") if u.password_must_change else tr("users.active")


st.subheader(tr("users.list"))
table = pd.DataFrame(
    [
        {
            tr("users.col_username"): u.username,
            tr("users.col_name"): u.display_name,
            tr("users.col_role"): tr("role." + u.role),
            tr("users.col_district"): district_names.get(u.district, "") if u.district else "",
            tr("users.col_state"): _state(u),
            # the day is enough (the audit log has the minute): the table then fits a 1280 px page
            tr("users.col_created"): u.created_at.astimezone(BEIJING).strftime("%Y-%m-%d"),
            tr("users18.col_last_sign_in"): (activity[u.id].last_sign_in.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
                                             if u.id in activity and activity[u.id].last_sign_in
                                             else tr("users18.never")),
            tr("users18.col_sessions"): activity[u.id].open_sessions if u.id in activity else 0,
            tr("users18.col_tokens"): activity[u.id].active_tokens if u.id in activity else 0,
        }
        for u in users
    ]
)
#: The widest the names column gets [px] (Streamlit's "large": 28 Chinese characters); the manage panel below
#: shows a longer name whole.
NAME_COLUMN_MAX_PX = 400
#: Accounts shown without scrolling inside the table (3 districts × 2-4 forecasters, managers and admins fit).
USERS_IN_SIGHT = 30
# The names and the states as wide as their longest text (a tour read "何处长（生态" at 1280 px: the names
# column was sized for the short ones, and the state column took 200 px for "启用"); "已锁定至 03:45" whole,
# not "已锁定至 0".
name_col, state_col = tr("users.col_name"), tr("users.col_state")
name_width = min(text_width([name_col, *table[name_col]]), NAME_COLUMN_MAX_PX)  # never empty: the admin is in it
# every account in sight up to a page of them (the default height showed 10 of the demo's 11)
with st.container(key="users_table"):  # the key names the table for the browser tests
    st.dataframe(table, hide_index=True, placeholder="—", width="stretch",
                 height="content" if len(table) <= USERS_IN_SIGHT else "auto",
                 column_config={name_col: st.column_config.TextColumn(width=name_width),
                                state_col: st.column_config.TextColumn(width=text_width([state_col, *table[state_col]]))})

roles = ["forecaster", "manager", "admin"]
district_options = [None] + [d.adcode for d in districts]


def _district_label(code):
    return tr("users.no_district") if code is None else district_names[code]


create_col, manage_col = st.columns(2)
with create_col:
    with st.form("create_user", clear_on_submit=False):
        st.subheader(tr("users.create"))
        username = st.text_input(tr("users.col_username"), key="new_username")
        display_name = st.text_input(tr("users.display_name"), key="new_display_name")
        role = st.selectbox(tr("users.role"), roles, format_func=lambda r: tr("role." + r), key="new_role")
        district = st.selectbox(tr("users.district"), district_options, format_func=_district_label, key="new_district")
        password = st.text_input(tr("users.initial_password"), type="password", key="new_password",
                                 autocomplete="new-password")
        if st.form_submit_button(tr("users.create_submit"), type="primary"):
            call_service(accounts.create_user, db, actor, username=username, password=password, role=role,
                         district=district, display_name=display_name or None, flash="users",
                         success=lambda created: tr("users.created", username=created.username))

with manage_col:
    st.subheader(tr("users.manage"))
    by_name = {u.username: u for u in users}
    picked = st.selectbox(tr("users.pick"), list(by_name), key="manage_user", index=None,
                          placeholder=tr("users18.pick_prompt"),
                          format_func=lambda n: f"{n} · {by_name[n].display_name}")
    if picked:
        user = by_name[picked]
        b1, b2 = st.columns(2)
        if user.is_active:
            if b1.button(tr("users.disable"), key="disable_user", icon=":material/block:"):
                call_service(accounts.disable_user, db, actor, user.username, flash="users",
                             success=tr("users.disabled_ok", username=user.username))
        elif b1.button(tr("users.enable"), key="enable_user", icon=":material/check_circle:"):
            call_service(accounts.enable_user, db, actor, user.username, flash="users",
                         success=tr("users.enabled_ok", username=user.username))
        until = _locked_until(user)
        if user.is_active and until:
            if b2.button(tr("users.unlock"), key="unlock_user", icon=":material/lock_open:",
                         help=tr("users.unlock_help", until=until)):
                call_service(accounts.unlock_user, db, actor, user.username, flash="users",
                             success=tr("users.unlocked_ok", username=user.username))
        with st.form("update_user"):
            st.markdown(f"**{tr('users.update')}**")
            new_role = st.selectbox(tr("users.role"), roles, index=roles.index(user.role),
                                    format_func=lambda r: tr("role." + r), key="upd_role")
            new_district = st.selectbox(tr("users.district"), district_options,
                                        index=district_options.index(user.district), format_func=_district_label,
                                        key="upd_district")
            new_name = st.text_input(tr("users.display_name"), value=user.display_name, key="upd_name")
            if st.form_submit_button(tr("users.update_submit")):
                call_service(accounts.update_user, db, actor, user.username, expected_version=user.version, role=new_role,
                             district=new_district, display_name=new_name, flash="users",
                             success=tr("users.updated", username=user.username))
        with st.form("reset_password", clear_on_submit=True):
            st.markdown(f"**{tr('users.reset')}**")
            new_pw = st.text_input(tr("account.new_password"), type="password", key="reset_pw",
                                   autocomplete="new-password")
            if st.form_submit_button(tr("users.reset")):
                call_service(accounts.reset_password, db, actor, user.username, new_pw, flash="users",
                             success=tr("users.reset_ok", username=user.username))
