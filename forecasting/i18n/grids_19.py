"""Messages of CF projected and curvilinear grids (issue #19)."""

MESSAGES = {
    "grids19.grid_mapping_missing": (
        "{file} 中变量 {variable} 引用的投影变量 {name} 不存在；请在模式映射文件的 grid: attributes: 中给出投影参数",
        "In {file}, variable {variable} names the grid mapping {name}, which is not in the file; give the "
        "projection in the model mapping file (grid: attributes:)"),
    "grids19.grid_mapping_unreadable": (
        "{file} 的投影 {name} 无法识别（pyproj 不能解析其参数）；请检查投影变量的属性，或在模式映射文件中给出",
        "The projection {name} of {file} is not understood (pyproj cannot read its parameters); check the "
        "grid-mapping attributes or give them in the model mapping file"),
    "grids19.projection_coords_missing": (
        "{file} 有投影（grid_mapping），但没有一维投影坐标 x/y，也没有二维经纬度；请在模式映射文件的 grid: 中写明变量名",
        "{file} has a grid mapping but neither 1-D projection coordinates x/y nor 2-D latitude/longitude; "
        "name them in the model mapping file (grid:)"),
    "grids19.cells_bad": (
        "{file} 的网格单元 {name} 无法使用（形状不符、有缺口或重叠、或有缺测）；请修正文件",
        "The grid cells of {file} ({name}) cannot be used (wrong shape, gaps or overlaps, or missing values); "
        "correct the file"),
    "grids19.coordinate_units": (
        "{file} 中投影坐标 {variable} 的单位 “{units}” 无法识别；应为 m 或 km",
        "The projection coordinate {variable} in {file} has units “{units}”; expected m or km"),
    "grids19.mapping_grid_bad": (
        "模式映射文件 {path} 的 grid: 部分有误；可用的键为 grid_mapping、x、y、lon、lat、attributes（含 grid_mapping_name）",
        "The grid: section of the model mapping file {path} is wrong; the keys are grid_mapping, x, y, lon, lat "
        "and attributes (with grid_mapping_name)"),
}
