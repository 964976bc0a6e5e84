"""Messages of the observations and correction modules (issue #5)."""

MESSAGES = {
    "correction.unknown_method": (
        "未知的订正方法 {method}；可选：{choices}",
        "unknown correction method {method}; choose one of {choices}",
    ),
    "correction.csv_bad_value": (
        "{file} 第 {line} 行 {column} 列：应为{expected}，实际为 {got}",
        "{file}: line {line}, column {column}: expected {expected}, got {got}",
    ),
    "obs.csv_header": (
        "{file}：表头须含站点编号（station 或 站点编码；或站点名称）和时间（time 或 监测时间）两列，实际为 {got}",
        "{file}: the header must include 'station' (or the stations' names) and 'time'; got {got}",
    ),
    "obs.row_ref": ("{file} 第 {line} 行“{text}”", "{file} line {line} “{text}”"),
    "obs.bad_xls": (
        "{file} 不是可读取的 Excel 97-2003 工作簿（.xls）：文件损坏、已加密，或是其他 Office 文件；请在 Excel 中重新保存"
        "（可另存为 .xlsx 或 CSV）后再上传",
        "{file} is not a readable Excel 97-2003 workbook (.xls): it is damaged, encrypted, or another kind of Office "
        "file; save it again in Excel (as .xlsx or CSV if need be) and upload it",
    ),
    "obs.bad_workbook": (
        "{file} 不是可读取的 Excel 工作簿（.xlsx）：文件损坏，或是其他 ZIP 文件；请在 Excel 中重新保存后再上传",
        "{file} is not a readable Excel workbook (.xlsx): it is damaged, or another kind of ZIP file; save it "
        "again in Excel and upload it",
    ),
    "obs.workbook_sheets": (
        "{file} 有 {n} 个工作表含数据（{sheets}）：请只保留观测所在的一个工作表",
        "{file} has data on {n} sheets ({sheets}): keep only the sheet with the observations",
    ),
    "obs.workbook_too_big": (
        "{file} 超过 {n} 个单元格：请拆分为几个文件",
        "{file} has more than {n} cells: split it into several files",
    ),
    "obs.utf16_broken": (
        "{file} 以 UTF-16 文本开头（Excel 的“Unicode 文本”），但第 {byte} 字节起无法按 UTF-16 读取：文件可能已损坏或不完整，"
        "请重新导出",
        "{file} starts as UTF-16 text (Excel's \"Unicode Text\") but cannot be read as UTF-16 from byte {byte}: the "
        "file may be damaged or cut short; export it again",
    ),
    "obs.not_text": (
        "{file} 不是 UTF-8 或 GB18030（GBK）编码的文本文件（第 {byte} 字节无法读取）；请上传 CSV 文件或 Excel "
        "工作簿（.xlsx 或 .xls）",
        "{file} is not a text file in UTF-8 or GB18030 (GBK) (byte {byte} cannot be read); upload a CSV file or an "
        "Excel workbook (.xlsx or .xls)",
    ),
    "obs.file_not_found": ("找不到文件 {file}", "file not found: {file}"),
    "obs.csv_empty": ("{file} 是空文件：第一行应为表头", "{file} is empty: its first line should be the header"),
    "obs.csv_duplicate_column": (
        "{file}：表头中的 {columns} 是同一列，出现了不止一次",
        "{file}: the header names one column more than once: {columns}",
    ),
    "obs.no_pollutants": (
        "{file}：表头中没有可读取的污染物列：应有 {pollutants} 中的至少一列，或 pollutant 与 value 两列；实际为 {got}",
        "{file}: the header names no pollutant column: expected at least one of {pollutants}, or 'pollutant' and "
        "'value'; got {got}",
    ),
    "obs.co_unit": (
        "{file} 的 CO 数值（中位数 {median}）像是以 μg/m³ 为单位，而未写单位时 CO 按 mg/m³ 读取：请在表头写明单位，如 "
        "{column}(μg/m3)（长表则在 unit 列写 ug/m3），或换算为 mg/m³ 后再上传",
        "{file}: the CO values (median {median}) look like µg/m³, but CO is in mg/m³ without a unit written: write "
        "it in the header, e.g. {column}(μg/m3) (or ug/m3 in a unit column), or convert them first",
    ),
    "obs.bad_unit": (
        "{file} 第 {line} 行 unit 列：{pollutant} 不接受单位 {unit}，可用 {accepted}（ppb 须先换算）",
        "{file}: line {line}, column unit: unit {unit} is not accepted for {pollutant}; expected one of {accepted} "
        "(convert ppb first)",
    ),
    "obs.bad_header_unit": (
        "{file} 的 {column} 列：{pollutant} 不接受表头中的单位 {unit}，可用 {accepted}（ppb 须先换算）",
        "{file}: column {column}: unit {unit} is not accepted for {pollutant}; expected one of {accepted} "
        "(convert ppb first)",
    ),
    "obs.bad_timezone": (
        "{file}：无法按时区 {zone} 读取无偏移的时间（{reason}）",
        "{file}: cannot read the times without an offset in time zone {zone} ({reason})",
    ),
    "obs.station_district": ("站点 {station} 的区县代码 {district} 不是示范区的区县。示范区的区县：{known}。",
                             "Station {station}: the district code {district} is no district of the zone. The "
                             "zone's districts: {known}."),
    "obs.no_metadata": ("站点 {stations} 没有站点信息（station、name、lon、lat、district）：请同时导入站点信息 CSV",
                        "Stations {stations} have no metadata (station, name, lon, lat, district): import the "
                        "station list with them"),
    "obs.stations_not_observations": (
        "{file} 是站点信息（含 lon、lat、district 列），不是观测数据：请在“站点信息 CSV”处上传（命令行用 --stations）",
        "{file} is a station list (with lon, lat and district columns), not observations: give it as the station "
        "metadata CSV (--stations at the command line)",
    ),
    "obs.observations_not_stations": (
        "{file} 是观测数据（含 time 列），不是站点信息：请在“观测 CSV”处上传",
        "{file} holds observations (with a time column), not a station list: give it as the observations CSV",
    ),
    "obs.stations_columns": (
        "{file}：站点信息缺少列 {missing}；应有 {expected}",
        "{file}: the station list misses the columns {missing}; expected {expected}",
    ),
    "correction.csv_field_count": (
        "{file} 第 {line} 行：应有 {expected} 个字段，实际 {got} 个",
        "{file}: line {line}: expected {expected} fields, got {got}",
    ),
    "train.no_data": (
        "训练时段内没有已入库的模式预报或观测；请先导入模式数据和观测",
        "no stored forecasts or observations in the training window; ingest runs and import observations first",
    ),
    "obs.archive_too_large": (
        "{file} 解压后超过 {limit} MB：请分几次上传",
        "{file} expands to more than {limit} MB: upload it in parts",
    ),
    "obs.archive_empty": (
        "{file} 中没有 CSV 或 Excel 文件（其中有：{members}）",
        "{file} holds no CSV or Excel file (it holds: {members})",
    ),
    "obs.line_conflict": (
        "{file} 第 {first} 行与第 {second} 行对站点 {station} {when}（北京时间）的 {pollutant} 给出不同的值（{a} 与 {b}）："
        "请只保留其一",
        "{file}: lines {first} and {second} give station {station} at {when} (Beijing) different {pollutant} values "
        "({a} and {b}): keep one of them",
    ),
    "obs.archive_conflict": (
        "{first} 与 {second} 对站点 {station} {when}（北京时间）的 {pollutant} 给出不同的值（{a} 与 {b}）：请只保留其一",
        "{first} and {second} give station {station} at {when} (Beijing) different {pollutant} values ({a} and {b}): "
        "keep one of them",
    ),
    "obs.no_known_station": (
        "文件中的 {n} 个站点（{stations}）都不在站点表中：请先导入示范区站点信息（站点信息文件）",
        "none of the file's {n} {n:plural|station|stations} ({stations}) is in the station list; import the zone's stations first "
        "(--stations)",
    ),
}
