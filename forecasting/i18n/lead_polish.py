"""Translations added while merging round two (keys ``polish.*``)."""

MESSAGES = {
    "polish.reason_best": (
        "验证期 {start} 至 {end}，第 1–3 天逐小时 RMSE 均值最低：{score}（原始模式 {raw}；次优 {next} {next_score}）",
        "lowest mean hourly RMSE over D+1–D+3, validation {start} to {end}: {score} (raw {raw}; next {next} {next_score})",
    ),
    "polish.reason_only": ("仅有一种方法可选", "only method"),
    "polish.level_ioapi": ("第 {lay} 层（共 {n} 层；IOAPI 第 1 层为近地面层）",
                           "LAY {lay} of {n} (IOAPI layer 1 = surface layer)"),
    "polish.level_wrf": ("bottom_top 第 {k} 层（最低模式半层）", "bottom_top {k} (lowest model half-level)"),
    "polish.level_single": ("单层（文件无垂直维）", "the only one (the file has no vertical dimension)"),
    "polish.level_only": ("{dim} = {v}（唯一一层）", "{dim} = {v} (the only level)"),
    "polish.level_pressure": ("{dim} = {v} {units}（气压最大，即最低层）", "{dim} = {v} {units} (largest pressure)"),
    "polish.level_top_count": ("{dim} = {v}（模式层号最大：ECMWF/CAMS 与 GEOS 自上而下计层，即最低层）",
                               "{dim} = {v} (highest model level number: ECMWF/CAMS and GEOS count levels from the "
                               "top, so it is the lowest level)"),
    "polish.level_sigma": ("{dim} = {v}（sigma/混合坐标最大，最接近地面）",
                           "{dim} = {v} (largest sigma/hybrid coordinate, nearest the surface)"),
}
