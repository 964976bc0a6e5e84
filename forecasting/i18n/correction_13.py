"""Texts of issue #13: predictive distributions, level probabilities, outlook past the models' reach."""

MESSAGES = {
    "method.analog_ensemble": ("相似集合（AnEn，Delle Monache 2013）", "analog ensemble (AnEn, Delle Monache 2013)"),
    "method.outlook": ("展望（气候态与持续性，非模式指导）", "outlook (climatology and persistence, not model guidance)"),
    "guidance.hindsight": (
        "订正方法的训练窗口截至 {train_to}（UTC），晚于发布日 {issue_date} 的知识截止时间，不能用于该日的指导产品。",
        "The correction was trained on a window ending {train_to} UTC, after the knowledge cut-off of issue date "
        "{issue_date}; it cannot serve that day's guidance.",
    ),
    "dfc13.p100": ("AQI>100 概率 {p}", "P(AQI>100) {p}"),
    "dfc13.p200": ("AQI>200 概率 {p}", "P(AQI>200) {p}"),
    "dfc13.quantiles": ("80% 区间 {lo}–{hi} · 中位数 {mid}", "80 % interval {lo}–{hi} · median {mid}"),
    "dfc13.no_probability": ("尚无概率与区间：可用于校准的历史配对（预报-实况）还不够",
                             "No probabilities or interval yet: too few past forecast-observation pairs to calibrate"),
    "dfc13.outlook_badge": ("展望", "Outlook"),
    "dfc13.outlook_note": ("超出模式时效：气候态与持续性展望，不确定性更大",
                           "Past the models' reach: climatology and persistence outlook, wider uncertainty"),
    "dfc13.model_ends": ("模式指导截至 {date}（第 {n} 天）；之后为标注的展望。",
                         "Model guidance ends on {date} (D+{n}); after that, a labelled outlook."),
    "dfc13.model_ends_all": ("模式指导覆盖全部 {n} 天。", "Model guidance covers the whole session ({n} {n:plural|day|days})."),
    "dfc13.trained_until": ("所用订正的训练窗口截至 {when}", "Corrections used were trained on data up to {when}"),
}
