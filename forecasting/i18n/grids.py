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
    "grids.unit_impossible": ("{file} 中变量 {variable} 的单位 “{units}” 对颗粒物不成立（颗粒物应为质量浓度，如 ug m-3）",
                              "Variable {variable} in {file} has units \"{units}\", impossible for particulate "
                              "matter (expected a mass concentration such as ug m-3)"),
}
