"""The short public text for SMS/WeChat: a header line and one paragraph per district, each district
paragraph at most :data:`MAX_DISTRICT_CHARS` characters (a Chinese character counts as one)."""

from __future__ import annotations

from forecasting.i18n import t
from forecasting.reports.content import day_label
from forecasting.reports.model import Report

__all__ = ["render_text", "district_texts", "headline_text", "health_text", "MAX_DISTRICT_CHARS"]

MAX_DISTRICT_CHARS = 200


def district_texts(report: Report, *, lang: str = "zh") -> list[str]:
    """One paragraph per district: name, then per day category, AQI range and primary pollutant(s);
    the sensitive-groups advice when any day's range reaches above 100. Shortened to fit the limit (the
    furthest days go first; the advice stays when the day that needs it was cut: a tour's English text
    lost Qingpu's only polluted day and its advice with it)."""
    out = []
    sep = "；" if lang != "en" else "; "
    for d in report["districts"]:
        name = d["name_en"] if lang == "en" else d["name_zh"]
        labels = {(e["primary_label_en"] if lang == "en" else e["primary_label"]) if e.get("primary") else None
                  for e in d["days"]}
        # one primary pollutant for every day is said once, after the name: repeated seven times it filled the
        # paragraph and cut the furthest days ("首要污染物PM2.5" 7 times; two days of seven lost)
        once = next(iter(labels)) if len(labels) == 1 and None not in labels and len(d["days"]) > 1 else None
        parts = []
        for e in d["days"]:
            primary = e["primary_label_en"] if lang == "en" else e["primary_label"]
            p = t("report.sms_primary", lang, p=primary) if e.get("primary") and once is None else ""
            parts.append(t("report.sms_day", lang, day=day_label(e["target_date"], lang),
                           category=e["category_en"] if lang == "en" else e["category_zh"],
                           lo=e["aqi_lo"], hi=e["aqi_hi"], primary=p))
        advice = ""  # a sentence of its own, for every day of the forecast, shown or not
        if any(e["aqi_hi"] > 100 for e in d["days"]):
            advice = t("report.sms_sensitive", lang) if lang != "en" else " " + t("report.sms_sensitive", lang)

        if once is None:
            head = f"{name}：" if lang != "en" else f"{name} AQI: "
        else:
            head = t("report.sms_head_primary", lang, name=name, p=once)
        text = head + sep.join(parts) + ("。" if lang != "en" else ".") + advice
        while len(text) > MAX_DISTRICT_CHARS and len(parts) > 1:
            parts.pop()  # the furthest days go first; the ellipsis ends the sentence ("PM2.5... Sensitive")
            text = head + sep.join(parts) + ("…" if lang != "en" else "...") + advice
        out.append(text[:MAX_DISTRICT_CHARS])
    return out


def headline_text(report: Report, *, lang: str = "zh") -> str:
    """The zone headline of page 1 as one line: tomorrow's category and AQI range per district ("" without)."""
    head = report.get("headline") or {}
    if not head.get("districts"):
        return ""
    sep = "；" if lang != "en" else "; "
    parts = [f"{h['name_en'] if lang == 'en' else h['name_zh']} "
             f"{h['category_en'] if lang == 'en' else h['category_zh']} {h['aqi_lo']}-{h['aqi_hi']}"
             for h in head["districts"]]
    return t("report17.sms_headline", lang, day=day_label(head["target_date"], lang), text=sep.join(parts))


def health_text(report: Report, *, lang: str = "zh") -> str:
    """The health advice of the highest level forecast (the last row of page 1's health table)."""
    if not report.get("health"):
        return ""
    h = report["health"][-1]
    return t("report17.sms_health", lang, category=h["category_en"] if lang == "en" else h["category_zh"],
             advice=h["advice_en"] if lang == "en" else h["advice_zh"])


def render_text(report: Report, *, lang: str = "zh") -> str:
    """The whole short text (UTF-8 plain text): the same content as page 1 of the report, in short —
    header, zone headline, one paragraph per district, health advice, signature."""
    title = report["title_en"] if lang == "en" else report["title_zh"]
    body = report["issuing_body_en"] if lang == "en" else report["issuing_body_zh"]
    head = t("report.sms_header", lang, body=body, title=title, time=report["issued_at_beijing"])
    lines = [head, headline_text(report, lang=lang), *district_texts(report, lang=lang), health_text(report, lang=lang)]
    duty = report.get("duty") or {}
    if duty.get("signed_by"):
        lines.append(t("report17.sms_signed", lang, name=duty["signed_by"], issued=report.get("issued_by", "")))
    return "\n".join(line for line in lines if line) + "\n"
