"""Admin: the append-only audit trail, newest first."""

import json
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from forecasting import audit_view
from forecasting.errors import ForecastingError
from ui import state
from ui.i18n import error_text, tr

BEIJING = ZoneInfo("Asia/Shanghai")
st.title(tr("audit.title"))
st.caption(tr("audit.caption"))
prefix = st.selectbox(tr("audit.filter"), ["", "login", "logout", "user", "session", "consult", "rota", "token", "run", "obs", "guidance", "correction", "district", "demo"],
                      format_func=lambda p: tr("audit.all") if p == "" else p)
try:
    rows = audit_view.recent_entries(state.database(), state.require_actor(), limit=500, action_prefix=prefix or None)
except ForecastingError as exc:
    st.error(error_text(exc))
    st.stop()
st.dataframe(
    pd.DataFrame(
        [
            {
                tr("audit.col_at"): r.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                tr("audit.col_actor"): r.actor_username,
                tr("audit.col_action"): r.action,
                tr("audit.col_object"): f"{r.object_type} {r.object_id}".strip(),
                tr("audit.col_details"): json.dumps(r.details, ensure_ascii=False),
            }
            for r in rows
        ]
    ),
    hide_index=True,
    width="stretch",
)
