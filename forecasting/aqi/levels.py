"""AQI levels: category, colour, health effects, advice and sensitive groups.

Sources: HJ 633-2012 Table 2 and HJ 633-2026 Table 1 (levels, categories, health effects and
advice), Appendix A Table A.1 of both (colours, identical), HJ 633-2026 Table 2 (sensitive groups).
HJ 633 gives no English; the English category names are the conventional translations (spec §1.6,
UNCONFIRMED wording) and the English texts are our translations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasting.aqi.tables import EDITION_2026, AQIInputError, normalize_edition

__all__ = [
    "LEVEL_UPPER_BOUNDS",
    "LevelInfo",
    "level_of",
    "level_info",
    "levels",
    "SENSITIVE_GROUPS",
    "sensitive_groups",
]

#: Inclusive upper AQI bound of levels 1-5; level 6 is everything above 300
#: (HJ 633-2012 Table 2, HJ 633-2026 Table 1 and §4.1.1).
LEVEL_UPPER_BOUNDS = (50, 100, 150, 200, 300)

# level: (lo, hi, zh category, en category, zh colour, en colour, RGB, CMYK)  [Table A.1]
_LEVELS = {
    1: (0, 50, "优", "Excellent", "绿色", "green", (0, 228, 0), (40, 0, 100, 0)),
    2: (51, 100, "良", "Good", "黄色", "yellow", (255, 255, 0), (0, 0, 100, 0)),
    3: (101, 150, "轻度污染", "Lightly Polluted", "橙色", "orange", (255, 126, 0), (0, 52, 100, 0)),
    4: (151, 200, "中度污染", "Moderately Polluted", "红色", "red", (255, 0, 0), (0, 100, 100, 0)),
    5: (201, 300, "重度污染", "Heavily Polluted", "紫色", "purple", (153, 0, 76), (10, 100, 40, 30)),
    6: (301, 500, "严重污染", "Severely Polluted", "褐红色", "maroon", (126, 0, 35), (30, 100, 100, 30)),
}
_LEVEL_NAMES_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级", 6: "六级"}

_EFFECT_2012 = {
    1: ("空气质量令人满意，基本无空气污染",
        "Air quality is satisfactory; there is essentially no air pollution"),
    2: ("空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
        "Air quality is acceptable, but some pollutants may have a weak effect on the health of a very few "
        "unusually sensitive people"),
    3: ("易感人群症状有轻度加剧，健康人群出现刺激症状",
        "Symptoms of susceptible people worsen slightly; healthy people show signs of irritation"),
    4: ("进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
        "Symptoms of susceptible people worsen further; the heart and respiratory system of healthy people "
        "may be affected"),
    5: ("心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
        "Symptoms of people with heart or lung disease worsen markedly and their exercise tolerance falls; "
        "healthy people commonly show symptoms"),
    6: ("健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
        "Healthy people's exercise tolerance falls, with strong and obvious symptoms; some illnesses "
        "appear early"),
}
_ADVICE_2012 = {
    1: ("各类人群可正常活动", "Everyone can be active as normal"),
    2: ("极少数异常敏感人群应减少户外活动", "The very few unusually sensitive people should reduce outdoor activity"),
    3: ("儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
        "Children, the elderly and people with heart or respiratory disease should reduce prolonged or "
        "intense outdoor exercise"),
    4: ("儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动",
        "Children, the elderly and people with heart or respiratory disease should avoid prolonged or "
        "intense outdoor exercise; the general public should moderately reduce outdoor exercise"),
    5: ("儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动",
        "Children, the elderly and people with heart or lung disease should stay indoors and stop "
        "outdoor exercise; the general public should reduce outdoor exercise"),
    6: ("儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
        "Children, the elderly and the sick should stay indoors and avoid physical exertion; the general "
        "public should avoid outdoor activity"),
}
# HJ 633-2026 Table 1: "易感人群" becomes "敏感人群", heart/lung become cardiovascular/respiratory,
# children become "青少年儿童" (spec §1.6; wording to be checked against the printed table).
_EFFECT_2026 = {
    **_EFFECT_2012,
    3: ("敏感人群症状有轻度加剧，健康人群出现刺激症状",
        "Symptoms of sensitive people worsen slightly; healthy people show signs of irritation"),
    4: ("进一步加剧敏感人群症状，可能对健康人群心血管系统、呼吸系统有影响",
        "Symptoms of sensitive people worsen further; the cardiovascular and respiratory systems of "
        "healthy people may be affected"),
    5: ("心血管系统疾病和呼吸系统疾病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
        "Symptoms of people with cardiovascular or respiratory disease worsen markedly and their exercise "
        "tolerance falls; healthy people commonly show symptoms"),
}
_ADVICE_2026 = {
    **_ADVICE_2012,
    3: ("青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
        "Children and adolescents, the elderly and people with cardiovascular or respiratory disease "
        "should reduce prolonged or intense outdoor exercise"),
    4: ("青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动",
        "Children and adolescents, the elderly and people with cardiovascular or respiratory disease "
        "should avoid prolonged or intense outdoor exercise; the general public should moderately "
        "reduce outdoor exercise"),
    5: ("青少年儿童、老年人和心血管系统疾病、呼吸系统疾病患者应停留在室内，停止户外运动，一般人群减少户外运动",
        "Children and adolescents, the elderly and people with cardiovascular or respiratory disease "
        "should stay indoors and stop outdoor exercise; the general public should reduce outdoor exercise"),
    6: ("青少年儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
        "Children and adolescents, the elderly and the sick should stay indoors and avoid physical "
        "exertion; the general public should avoid outdoor activity"),
}

#: HJ 633-2026 Table 2: sensitive groups per pollutant, shown when its IAQI exceeds 100.
SENSITIVE_GROUPS: dict[str, tuple[str, str]] = {
    "so2": ("哮喘患者、青少年儿童、老年人", "People with asthma, children and adolescents, the elderly"),
    "no2": ("呼吸系统疾病（如哮喘）患者、青少年儿童、老年人",
            "People with respiratory disease (e.g. asthma), children and adolescents, the elderly"),
    "co": ("心血管系统疾病患者", "People with cardiovascular disease"),
    "o3": ("呼吸系统疾病（如哮喘）患者、青少年儿童、经常户外活动人群、老年人",
           "People with respiratory disease (e.g. asthma), children and adolescents, people often active "
           "outdoors, the elderly"),
    "pm10": ("心血管系统或呼吸系统疾病（如哮喘）患者、青少年儿童、经常户外活动人群、老年人",
             "People with cardiovascular or respiratory disease (e.g. asthma), children and adolescents, "
             "people often active outdoors, the elderly"),
    "pm25": ("心血管系统或呼吸系统疾病（如哮喘）患者、青少年儿童、经常户外活动人群、老年人",
             "People with cardiovascular or respiratory disease (e.g. asthma), children and adolescents, "
             "people often active outdoors, the elderly"),
}


@dataclass(frozen=True)
class LevelInfo:
    """One AQI level of HJ 633 (2012 Table 2 / 2026 Table 1; colours Appendix A Table A.1)."""

    level: int
    level_zh: str
    aqi_low: int
    aqi_high: int
    category_zh: str
    category_en: str
    color_name_zh: str
    color_name_en: str
    rgb: tuple[int, int, int]
    cmyk: tuple[int, int, int, int]
    health_effect_zh: str
    health_effect_en: str
    advice_zh: str
    advice_en: str
    edition: str

    @property
    def hex(self) -> str:
        """Screen colour as ``#RRGGBB`` (our conversion of the standard's RGB)."""
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)

    @property
    def text_hex(self) -> str:
        """A readable text colour on :attr:`hex` (black on green/yellow/orange, white otherwise)."""
        return "#000000" if self.level <= 3 else "#FFFFFF"

    def category(self, lang: str = "zh") -> str:
        return self.category_en if lang == "en" else self.category_zh

    def health_effect(self, lang: str = "zh") -> str:
        return self.health_effect_en if lang == "en" else self.health_effect_zh

    def advice(self, lang: str = "zh") -> str:
        return self.advice_en if lang == "en" else self.advice_zh


def level_of(aqi):
    """AQI level 1-6 of an AQI (HJ 633-2026 Table 1; HJ 633-2012 Table 2).

    Upper bounds are inclusive: 50 → 1, 51 → 2, 100 → 2, 101 → 3, 300 → 5, 301 → 6. An AQI of 0
    (possible from eq. (1) when every concentration rounds to 0) is level 1. Scalars give an ``int``
    (``None`` for a missing AQI); arrays give int8 with 0 where the AQI is missing (NaN or < 0).

    Parameters
    ----------
    aqi : int, float or array_like
        AQI [1].

    Examples
    --------
    Levels 1–6 for AQI 0–50, 51–100, 101–150, 151–200, 201–300, > 300 (HJ 633-2026 Table 4):

    >>> level_of(50), level_of(51), level_of(150), level_of(151), level_of(301)
    (1, 2, 3, 4, 6)
    """
    arr = np.asarray(aqi, dtype=np.float64)
    valid = np.isfinite(arr) & (arr >= 0)
    lev = (np.searchsorted(np.asarray(LEVEL_UPPER_BOUNDS, dtype=np.float64), np.where(valid, arr, 0.0),
                           side="left") + 1).astype(np.int8)
    lev = np.where(valid, lev, np.int8(0))
    if np.ndim(aqi) == 0:
        return int(lev) if valid else None
    return lev


def level_info(aqi: float | None = None, *, level: int | None = None, edition: str = EDITION_2026) -> LevelInfo:
    """Category, colour, health effect and advice of an AQI (or of a level number).

    HJ 633-2026 Table 1 / HJ 633-2012 Table 2 (the texts differ by edition), Appendix A Table A.1.

    Parameters
    ----------
    aqi : int, optional
        AQI [1]; give this or ``level``.
    level : int, optional
        Level number 1-6.
    edition : str
        ``"HJ 633-2026"`` (default) or ``"HJ 633-2012"``; chooses the wording of the texts.

    Examples
    --------
    >>> info = level_info(151)
    >>> info.level, info.category_zh, info.category_en, info.color_name_en, info.rgb
    (4, '中度污染', 'Moderately Polluted', 'red', (255, 0, 0))
    """
    edition = normalize_edition(edition)
    if level is None:
        if aqi is None:
            raise AQIInputError("level_info needs an AQI or a level", key="aqi.error.value", value="None")
        level = level_of(aqi)
        if level is None:
            raise AQIInputError(f"no level for AQI {aqi!r}: expected a number ≥ 0", key="aqi.error.value",
                                value=str(aqi))
    if level not in _LEVELS:
        raise AQIInputError(f"unknown AQI level {level!r}: expected 1 to 6", key="aqi.error.value",
                            value=str(level))
    lo, hi, czh, cen, colzh, colen, rgb, cmyk = _LEVELS[level]
    effect = (_EFFECT_2026 if edition == EDITION_2026 else _EFFECT_2012)[level]
    advice = (_ADVICE_2026 if edition == EDITION_2026 else _ADVICE_2012)[level]
    if edition == EDITION_2026 and level == 1:
        lo = 1  # HJ 633-2026 §4.1.1: the AQI range is 1-500
    return LevelInfo(level, _LEVEL_NAMES_ZH[level], lo, hi, czh, cen, colzh, colen, rgb, cmyk,
                     effect[0], effect[1], advice[0], advice[1], edition)


def levels(edition: str = EDITION_2026) -> tuple[LevelInfo, ...]:
    """All six levels of an edition, in order (for legends).

    Examples
    --------
    >>> [(i.level, i.aqi_high) for i in levels()][:5]
    [(1, 50), (2, 100), (3, 150), (4, 200), (5, 300)]
    """
    return tuple(level_info(level=k, edition=edition) for k in range(1, 7))


def sensitive_groups(pollutant: str, lang: str = "zh") -> str:
    """Sensitive groups of a pollutant (HJ 633-2026 Table 2), e.g. ``sensitive_groups("o3", "en")``.

    ``pollutant`` is a pollutant (``"pm25"``) or an indicator (``"pm25_24h"``).
    """
    key = pollutant.split("_")[0]
    if key not in SENSITIVE_GROUPS:
        raise AQIInputError(f"unknown pollutant {pollutant!r}: expected one of {', '.join(SENSITIVE_GROUPS)}",
                            key="aqi.error.indicator", value=pollutant)
    zh, en = SENSITIVE_GROUPS[key]
    return en if lang == "en" else zh

