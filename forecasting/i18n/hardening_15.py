"""Messages of the hardening work (issue #15): text limits, request limits, integrity, accounts, ingest."""

MESSAGES = {
    "hard15.text_too_long": ("{field_zh}最多 {limit} 个字符（现为 {n} 个），请删减后再保存。",
                             "The {field_en} may have at most {limit} characters ({n} given): shorten it and save again."),
    "hard15.text_required": ("请填写{field_zh}。", "The {field_en} is required."),
    "hard15.snapshot_changed": ("签发期间会商内容发生了变化，未签发；请核对后重新签发。",
                                "The consultation changed while the report was being prepared: nothing was issued; "
                                "check it and issue again."),
    "hard15.version_immutable": ("已保存的预报版本不可修改或删除。", "A saved submission version never changes and is never deleted."),
    "hard15.body_too_large": ("请求内容过大：最多 {limit} KiB。", "The request body is too large: at most {limit} KiB."),
    "hard15.integrity_failed": ("签发报告 {id} 未通过完整性校验：存储内容与其哈希值不符，已记录。",
                                "Issued report {id} failed its integrity check: the stored bytes do not match "
                                "their hash. This has been recorded."),
}
