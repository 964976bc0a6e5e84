"""Translations for the shell: sign-in, navigation, home, users, audit, common words."""

MESSAGES = {
    "app.title": ("长三角示范区空气质量联合预报会商", "Joint Air-Quality Forecast Consultation"),
    "app.subtitle": (
        "青浦 · 吴江 · 嘉善 联合预报平台",
        "Qingpu · Wujiang · Jiashan joint forecasting platform",
    ),
    "app.demo_banner": (
        "演示数据：本系统当前运行在演示模式，所有账户、预报与观测均为合成数据。",
        "Demo data: this system runs in demo mode; all accounts, forecasts and observations are synthetic.",
    ),
    "common.language": ("语言 / Language", "Language / 语言"),
    "common.save": ("保存", "Save"),
    "common.cancel": ("取消", "Cancel"),
    "common.yes": ("是", "Yes"),
    "common.no": ("否", "No"),
    "common.none": ("无", "None"),
    "common.error": ("出错了：{message}", "Error: {message}"),
    "common.beijing_time": ("北京时间", "Beijing time"),
    "district.310118": ("青浦区", "Qingpu"),
    "district.320509": ("吴江区", "Wujiang"),
    "district.330421": ("嘉善县", "Jiashan"),
    "role.forecaster": ("预报员", "Forecaster"),
    "role.manager": ("管理人员", "Manager"),
    "role.admin": ("系统管理员", "Administrator"),
}
