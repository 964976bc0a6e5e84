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
        "{file}：表头须含 station（站点编号）和 time（时间）两列（列名用英文），实际为 {got}",
        "{file}: the header must include 'station' and 'time'; got {got}",
    ),
    "correction.csv_field_count": (
        "{file} 第 {line} 行：应有 {expected} 个字段，实际 {got} 个",
        "{file}: line {line}: expected {expected} fields, got {got}",
    ),
}
