"""Translations for model grid errors (forecasting.grids, forecasting.districts)."""

MESSAGES = {
    "grids.file_missing": ("找不到文件：{file}", "File not found: {file}"),
    "grids.file_corrupt": ("{file} 不是可读取的 NetCDF 文件（文件损坏或格式不符）",
                           "{file} is not a readable NetCDF file (corrupt or another format)"),
    "grids.no_chemistry": ("{file} 中没有污染物变量（PM2.5、PM10、O3、NO2、SO2、CO）；请确认是化学模式输出，或在模式映射文件中声明变量名",
                           "{file} has no pollutant variables (PM2.5, PM10, O3, NO2, SO2, CO); check it is chemistry "
                           "output, or name the variables in a model mapping file"),
    "grids.format_unknown": ("无法识别 {file} 的格式（不是 IOAPI、wrfout，也不是带经纬度或投影（grid_mapping）的 CF 网格）；"
                             "请用模式映射文件说明",
                             "The layout of {file} is not recognised (not IOAPI, wrfout, nor a CF grid with "
                             "longitude/latitude or a grid mapping); describe it in a model mapping file"),
    "grids.model_unknown": ("没有模式 {model} 的映射文件；请在 data/models/ 中添加 {model}.yaml",
                            "No mapping file for model {model}; add {model}.yaml to data/models/"),
    "grids.unit_missing": ("{file} 中变量 {variable} 没有单位属性；请在模式映射文件中声明其单位",
                           "Variable {variable} in {file} has no units attribute; declare its units in the "
                           "model mapping file"),
    "grids.unit_unknown": ("{file} 中变量 {variable} 的单位 “{units}” 无法识别；请在模式映射文件中声明单位",
                           "Variable {variable} in {file} has unknown units \"{units}\"; declare the units in "
                           "the model mapping file"),
    "grids.extra_dims": ("变量 {variable} 有多个额外维度（{dims}）；请在模式映射文件中指明哪一个是垂直层（level: {{dim: …}}）",
                         "Variable {variable} has several extra dimensions ({dims}); name the vertical one in the "
                         "model mapping file (level: {{dim: ...}})"),
    "grids.time_units": ("时间变量 {variable} 的单位为 “{units}”，应为 “时间单位 since 日期”（如 hours since 2026-12-07 00:00:00）",
                         "The time variable {variable} has units \"{units}\"; expected \"UNIT since DATE\" (such as "
                         "hours since 2026-12-07 00:00:00)"),
    "grids.time_string": ("无法解析时间字符串 “{text}”（应如 2026-12-07_12:00:00）",
                          "Cannot read the time string \"{text}\" (expected such as 2026-12-07_12:00:00)"),
    "grids.no_time_coordinate": ("{file} 沿维度 {dim} 没有时间坐标：应有单位为 “hours since …” 的 time 或 valid_time，"
                                 "或字符数组 Times",
                                 "{file} has no time coordinate along {dim}: expected time or valid_time with units "
                                 "\"hours since ...\", or a Times character array"),
    "grids.several_cycles": ("{file} 含多个起报时间（forecast_reference_time）；一个文件只能是一次起报",
                             "{file} has several forecast_reference_time values; one file holds one cycle"),
    "grids.level_not_found": ("模式映射文件指定的层 {value} 不在 {dim} 中（{values}）",
                              "The level {value} the model mapping file names is not in {dim} ({values})"),
    "grids.surface_unknown": ("无法判断 {dim} 的哪一层是地面（{values} …）；请在模式映射文件中写明，如 "
                              "level: {{dim: {dim}, index: 0}}",
                              "Cannot tell which {dim} level is the surface ({values} ...); state it in the model "
                              "mapping file, such as level: {{dim: {dim}, index: 0}}"),
    "grids.no_time_dim": ("{file} 中的污染物变量没有时间维，不是逐时预报", "The chemistry variables of {file} have no "
                          "time dimension: not an hourly forecast"),
    "grids.too_few_cells": ("曲线网格至少需要 2 × 2 个格点才能确定格点边界",
                            "A curvilinear grid needs at least 2 × 2 cells to build cell corners"),
    "grids.grid_differs": ("{file} 的网格与 {first} 不同；一次只能上传同一次起报、同一区域的文件",
                           "The grid of {file} differs from that of {first}; upload the files of one run and one "
                           "domain together"),
    "grids.files_repeat": ("{first} 与 {file} 含有同一时次的 {variable}：同一次起报的每个文件只需上传一次",
                           "{first} and {file} both hold {variable} for the same hours: give each file of a run once"),
    "grids.hour_differs": ("多个文件给出 {time} 的 {variable} 且数值不同：请只上传同一次起报的文件",
                           "The files give two different {variable} fields for {time}: give the files of one run"),
    "grids.ioapi_projection": ("不支持 IOAPI 投影 GDTYP={code}（支持 1 经纬度、2 兰伯特、6 极射赤面、7 墨卡托）",
                               "IOAPI GDTYP={code} is not supported (1 lat-lon, 2 Lambert, 6 polar stereographic, "
                               "7 Mercator)"),
    "grids.wrf_projection": ("不支持 WRF 投影 MAP_PROJ={code}（支持 1 兰伯特、2 极射赤面、3 墨卡托）",
                             "WRF MAP_PROJ={code} is not supported (1 Lambert, 2 polar stereographic, 3 Mercator)"),
    "grids.attribute_missing": ("{file} 缺少 {kind} 全局属性 {attribute}", "{file} misses the {kind} global attribute "
                                "{attribute}"),
    "grids.cycle_unknown": ("{file} 没有写明起报时间：请给出起报时间（命令行 --cycle）",
                            "{file} does not say its initialisation time: give the cycle (--cycle at the command "
                            "line)"),
    "grids.cycle_future": ("{file} 的起报时间 {cycle}（世界时，北京时间 {cycle_bj}）晚于现在（北京时间 {now_bj}）：文件中的时间"
                           "可能有误（如把北京时间当作世界时写入）；未存储任何数据",
                           "{file} gives its initialisation time as {cycle} (Beijing {cycle_bj}), later than now "
                           "(Beijing {now_bj}): the file's time is probably wrong (Beijing time written as UTC?); "
                           "nothing was stored"),
    "grids.outside_zone": ("{file} 的网格（东经 {lon0}–{lon1}°，北纬 {lat0}–{lat1}°）没有覆盖示范区的任何区县，未存储任何数据；"
                           "请确认上传的是本区域的模式输出",
                           "The grid of {file} (lon {lon0} to {lon1}°E, lat {lat0} to {lat1}°N) covers none of the "
                           "zone's districts; nothing was stored. Check that the files are this region's model output"),
    "grids.unit_impossible": ("{file} 中变量 {variable} 的单位 “{units}” 对颗粒物不成立（颗粒物应为质量浓度，如 ug m-3）",
                              "Variable {variable} in {file} has units \"{units}\", impossible for particulate "
                              "matter (expected a mass concentration such as ug m-3)"),
}
