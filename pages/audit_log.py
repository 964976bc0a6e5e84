"""Admin: the append-only audit trail, newest first: actions in words, filters (date, user, action,
object), CSV export (formula-escaped). Issue #18."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from forecasting import accounts, audit_view
from forecasting.consultation import beijing_today
from forecasting.errors import ForecastingError
from forecasting.vocab import BEIJING, DISTRICT_ORDER
from ui import state
from ui.consultation import district_name
from ui.i18n import error_text, tr, tr_or, who

db = state.database()
actor = state.require_actor()
lang = state.language()
st.title(tr("audit.title"))
st.caption(tr("audit.caption"))

try:
    actions = audit_view.known_actions(db, actor)
except ForecastingError as exc:
    st.error(error_text(exc))
    st.stop()

today = beijing_today()
c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 3, 2])
first = c1.date_input(tr("audit18.from"), value=today - timedelta(days=30), key="audit_from")
last = c2.date_input(tr("audit18.to"), value=today, key="audit_to")
user = c3.text_input(tr("audit18.user"), key="audit_user", max_chars=audit_view.MAX_FILTER_CHARS)
families = sorted({a.split(".")[0] for a in actions})
options = [""] + [f for f in families if f not in actions] + actions


def family(prefix: str) -> str:
    """A family of actions in words ("会商：全部（consult.*）"); an unknown one by its code."""
    name = tr_or(f"audit18.family.{prefix}", "")
    return tr("audit18.family", name=name, code=f"{prefix}.*") if name else f"{prefix}.*"


action = c4.selectbox(tr("audit18.action"), options, key="audit_action",
                      format_func=lambda a: tr("audit18.any") if a == "" else (
                          audit_view.action_label(a, lang) + tr("common.paren", text=a) if a in actions
                          else family(a)))
obj = c5.text_input(tr("audit18.object"), key="audit_object", max_chars=audit_view.MAX_FILTER_CHARS)
try:
    rows = audit_view.search_entries(db, actor, first=first, last=last, username=user or None, action=action or None,
                                     object_text=obj or None)
except ForecastingError as exc:
    st.error(error_text(exc))
    st.stop()

district_names = {adcode: district_name(adcode) for adcode in DISTRICT_ORDER}  # names, not adcodes
people = {u.username: u.display_name for u in accounts.list_users(db, actor)}  # names, not logins
st.caption(tr("audit18.count", n=len(rows)))
if obj and not user and (obj.strip() in people.values() or obj.strip().lower() in people):
    # a tour typed 陈静 into the object box and found nothing for the period: her actions are found by the user box
    st.caption(tr("audit18.object_is_person", text=obj.strip()))
if not rows:  # an empty table reads "empty", in English, whatever the language
    st.info(tr("audit18.none"))
    st.stop()
if len(rows) >= audit_view.MAX_ROWS:
    st.warning(tr("audit18.cut", n=audit_view.MAX_ROWS))
st.dataframe(
    pd.DataFrame(
        [
            {
                tr("audit.col_at"): r.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                tr("audit.col_actor"): who(r.actor_username, people),
                tr("audit.col_action"): audit_view.action_label(r.action, lang),
                tr("audit.col_object"): audit_view.row_object_label(r, lang),
                tr("audit.col_details"): audit_view.details_text(r.details, names=district_names, lang=lang),
                tr("audit18.col_code"): r.action,
            }
            for r in rows
        ],
        columns=[tr("audit.col_at"), tr("audit.col_actor"), tr("audit.col_action"), tr("audit.col_object"),
                 tr("audit.col_details"), tr("audit18.col_code")],
    ),
    hide_index=True, placeholder="—",
    width="stretch",
    key="audit_table",
)
st.download_button(tr("audit18.download"), audit_view.entries_csv(rows, lang), file_name=f"audit_{first}_{last}.csv",
                   mime="text/csv", key="audit_csv", icon=":material/download:")
