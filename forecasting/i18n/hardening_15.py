"""Messages of the hardening work (issue #15): text limits, request limits, integrity, accounts, ingest."""

MESSAGES = {
    "hard15.snapshot_changed": ("签发期间会商内容发生了变化，未签发；请核对后重新签发。",
                                "The consultation changed while the report was being prepared: nothing was issued; "
                                "check it and issue again."),
    "hard15.version_immutable": ("已保存的预报版本不可修改或删除。", "A saved submission version never changes and is never deleted."),
    "hard15.body_too_large": ("请求内容过大：最多 {limit} KiB。", "The request body is too large: at most {limit} KiB."),
    "hard15.integrity_failed": ("签发报告 {id} 未通过完整性校验：存储内容与其哈希值不符，已记录。",
                                "Issued report {id} failed its integrity check: the stored bytes do not match "
                                "their hash. This has been recorded."),
    "hard15.ingest_empty": ("模式 {model} 起报 {cycle}：没有可存储的数值（全部缺测），未替换任何数据；如确需存储空预报请加 --force。",
                            "Model {model} cycle {cycle}: no values to store (all missing); nothing was replaced. "
                            "Pass --force to store an empty run."),
    "hard15.ingest_mostly_empty": ("模式 {model} 起报 {cycle}：{total} 个数值中 {dropped} 个缺测，拒绝用大部分为空的数据替换已存储的起报；"
                                   "如确需替换请加 --force。",
                                   "Model {model} cycle {cycle}: {dropped} of {total} values are missing; the stored "
                                   "cycle is not replaced by a mostly-empty one. Pass --force to replace it anyway."),
    "hard15.ingest_implausible": ("{variable} 有 {n} 个数值超出合理范围 0–{top} {unit}（如 {example}），请检查文件单位；未存储任何数据。",
                                  "{n} {variable} {n:plural|value is|values are} outside the plausible 0–{top} {unit} (e.g. {example}): "
                                  "check the file's units. Nothing was stored."),
    "hard15.ingest_tiny_unit": ("{variable} 中位数为 {median} {unit}，小得不合理，单位标注可能有误；未存储任何数据。",
                                "{variable} has a median of {median} {unit}, implausibly small: the unit label is "
                                "probably wrong. Nothing was stored."),
    "hard15.too_many_refusals": ("来自该地址的无效令牌过多，请 {seconds} 秒后再试。",
                                 "Too many invalid API tokens from this address: try again in {seconds} s."),
    "hard15.password_invisible": ("密码含有 {n} 个控制字符或不可见字符（如 {code}），请只使用可见字符。",
                                  "The password contains control or invisible characters ({n}, e.g. {code}): "
                                  "type only visible characters."),
    "hard15.password_weak": ("密码太容易被猜到（强度 {score}/4，至少需要 {min_score}）：请使用由几个不相关词语组成的较长短语。",
                             "The password is too easy to guess (strength {score} of 4, at least {min_score} needed): "
                             "use a longer phrase of unrelated words."),
    "hard15.db_unavailable": ("数据库暂时不可用（可能正忙或连接中断）。您填写的内容已保留，请稍后点击“重试”。",
                              "The database is unavailable for the moment (busy or disconnected). What you typed "
                              "is kept: press Retry in a moment."),
    "hard15.retry": ("重试", "Retry"),
}

# one message per limited field, so each language names the field in its own words
from forecasting.textlimits import TEXT_LIMITS as _LIMITS  # noqa: E402

for _field, (_limit, _zh, _en) in _LIMITS.items():
    MESSAGES[f"hard15.too_long.{_field}"] = (f"{_zh}最多 {{limit}} 个字符（现为 {{n}} 个），请删减后再保存。",
                                             f"The {_en} may have at most {{limit}} characters ({{n}} given): "
                                             "shorten it and save again.")
    MESSAGES[f"hard15.required.{_field}"] = (f"请填写{_zh}。", f"The {_en} is required.")
