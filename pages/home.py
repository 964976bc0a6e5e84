"""Home: who is signed in, today's Beijing date, the zone's districts."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from forecasting.zone import list_districts
from ui import state
from ui.i18n import tr
from ui.maps import district_map

BEIJING = ZoneInfo("Asia/Shanghai")
actor = state.require_actor()
lang = state.language()

st.title(tr("app.title"))
now = datetime.now(BEIJING)
st.subheader(tr("home.welcome", name=actor.display_name or actor.username))
district = f" · {tr('district.' + actor.district)}" if actor.district else ""
st.write(tr("home.role_line", role=tr("role." + actor.role), district=district))
st.write(tr("home.today", date=now.strftime("%Y-%m-%d"), weekday=tr(f"weekday.{now.weekday()}"),
            time=now.strftime("%H:%M")))

left, right = st.columns([3, 2])
with left:
    st.markdown(f"#### {tr('home.map_title')}")
    st.altair_chart(district_map(lang), width="stretch")
    st.caption(tr("home.map_caption"))
with right:
    st.markdown(f"#### {tr('home.districts_table')}")
    rows = [
        {
            tr("home.col_district"): d.name(lang),
            "adcode": d.adcode,
            tr("home.col_parent"): d.parent_en if lang == "en" else d.parent_zh,
            tr("home.col_area"): d.area_km2,
        }
        for d in list_districts(state.database())
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
