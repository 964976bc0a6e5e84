"""Translations for issued reports, the managers' page, the HTTP API and API tokens (keys ``report.*``,
``api.*``, ``tokens.*``)."""

MESSAGES = {
    # the report document
    "report.cjk_font_missing": ("本机未安装报告所需的中文字体 Noto Sans CJK：PDF 中的中文会显示为方框，报告未生成，"
                                 "未写入任何内容。请安装 fonts-noto-cjk（以 root 运行 make sysdeps）后重试。",
                                 "The report's Chinese font (Noto Sans CJK) is not installed on this machine: the "
                                 "PDF would print its Chinese as boxes, so no report was made and nothing was "
                                 "written. Install fonts-noto-cjk (make sysdeps as root) and try again."),
    "demo.cjk_font_missing": ("本机未安装中文字体 Noto Sans CJK：演示数据中报告 PDF 的中文会显示为方框，因此没有开始生成。"
                              "请以 root 运行 make sysdeps（或 apt-get install fonts-noto-cjk）后再运行 make run。",
                              "The Chinese font Noto Sans CJK is not installed on this machine: the demo world's "
                              "report PDFs would print their Chinese as boxes, so its build did not start. Run "
                              "make sysdeps as root (or apt-get install fonts-noto-cjk), then make run again."),
    "report.page_of": ("第 {p} 页 / 共 {n} 页", "Page {p} of {n}"),
    "report.duty_district": ("轮值区县", "Chief seat held by"),
    "report.hand_signature": ("首席签字：", "Chief's signature:"),
    "report.hand_date": ("日期：", "Date:"),
    "report.issued_line": ("发布时间：{time}（北京时间）· 签发：{by}", "Issued {time} (Beijing time) · by {by}"),
    "report.valid_line": ("预报时段：{first} 至 {last}（共 {n} 天）", "Valid {first} to {last} ({n} days)"),
    "report.amended_banner": (
        "更正版（第{revision}版）：{reason}。此前版本保留存档，标记为已被取代。",
        "Amended (revision {revision}): {reason}. Earlier revisions stay in the archive, marked superseded.",
    ),
    "report.duty_chief": ("轮值首席", "Duty chief"),
    "report.duty_deputy": ("副班", "Deputy"),
    "report.forecasters_of": ("{district}预报员", "{district} forecasters"),
    "report.h_forecast": ("一、各区县空气质量预报", "1. Air-quality forecast by district"),
    "report.col_district": ("区县", "District"),
    "report.col_day": ("日期", "Day"),
    "report.col_aqi": ("AQI 范围", "AQI range"),
    # two parts, each kept whole: the narrow column broke "级别与类别（颜" / "色）"
    "report.col_level": ("级别与类别", "Level and category"),
    "report.col_level_colour": ("（颜色）", " (colour)"),
    "report.col_primary": ("首要污染物", "Primary pollutant"),
    "report.minimum_content": (
        "按 HJ 633-2026 第 5.1.1 条，预报内容至少包括 AQI、首要污染物、级别、类别及颜色；AQI ≤ 50 时无首要污染物（—）。",
        "Per HJ 633-2026 §5.1.1 a forecast gives at least the AQI, primary pollutant, level, category and colour; "
        "with AQI ≤ 50 there is no primary pollutant (—).",
    ),
    "report.h_summary": ("二、示范区总体形势与趋势", "2. Zone summary and trend"),
    "report.analysis_missing": ("（未填写气象条件分析）", "(no meteorological analysis was written)"),
    "report.trend_label": ("预报期内 AQI 趋势（各日范围中值）：", "AQI trend over the forecast days (range centres): "),
    "report.h_met": ("三、气象条件分析", "3. Meteorological analysis"),
    "report.col_analysis": ("分析", "Analysis"),
    "report.col_author": ("预报员", "Forecaster"),
    "report.h_conclusion": ("四、会商结论", "4. Consultation conclusion"),
    "report.notes_digest": ("会商记录摘要：", "Digest of the consultation notes:"),
    "report.digest_cut": ("（节选；全文 {n} 字，见会商记录）", " (excerpt; the whole note, {n} characters, is in the consultation record)"),
    "report.h_chart": ("五、客观预报指导与发布范围", "5. Objective guidance against the issued ranges"),
    "report.chart_title": ("客观预报指导与发布 AQI 范围", "Objective guidance and the issued AQI ranges"),
    "report.chart_raw": ("原始模式", "raw model"),
    "report.chart_corrected": ("订正（各模式）", "corrected (per model)"),
    "report.chart_ensemble": ("订正集合（建议）", "corrected ensemble (suggested)"),
    "report.chart_caption": (
        "色块为发布的 AQI 范围（颜色为上限对应级别）；灰点为各模式原始预报，蓝色三角为各模式订正预报，黑色菱形为订正集合。",
        "Bars are the issued AQI ranges (coloured by the level of the upper end); grey dots the raw models, "
        "blue triangles the corrected models, black diamonds the corrected ensemble.",
    ),
    "report.chart_unguided": ("{days} 超出模式预报时效，只有发布范围，没有客观指导点。",
                              " {days}: past the models' reach, the issued ranges alone, no guidance points."),
    "report.no_guidance": ("本期无客观预报指导数据。", "No objective guidance for this issue."),
    "report.h_health": ("六、健康影响与建议", "6. Health effects and advice"),
    "report.col_effect": ("对健康影响情况", "Health effect"),
    "report.col_advice": ("建议采取的措施", "Advice"),
    "report.sensitive": ("敏感人群（HJ 633-2026 表 2，预报 AQI 可能超过 100 的首要污染物）：",
                         "Sensitive groups (HJ 633-2026 Table 2; primary pollutants of days whose AQI may exceed 100):"),
    "report.h_yesterday": ("七、昨日预报与实况对比", "7. Yesterday's forecast against the observation"),
    "report.col_issued": ("发布范围", "Issued range"),
    "report.col_observed": ("实况 AQI", "Observed AQI"),
    "report.col_hit": ("范围命中", "Range hit"),
    "report.hit": ("命中", "hit"),
    "report.miss": ("未命中", "miss"),
    "report.h_history": ("八、版本与更正记录", "8. Versions and amendments"),
    "report.col_revision": ("版本", "Revision"),
    "report.col_issued_at": ("发布时间（北京）", "Issued (Beijing)"),
    "report.col_issued_by": ("发布人", "Issued by"),
    "report.col_reason": ("更正原因", "Reason"),
    "report.col_state": ("状态", "State"),
    "report.superseded": ("已被取代", "superseded"),
    "report.current": ("现行", "current"),
    "report.h_signature": ("签发", "Signature"),
    "report.seat_chief": ("轮值首席", "chief"),
    "report.seat_deputy": ("副班", "deputy"),
    "report.signed_by": ("签发人：{name}（{seat}）", "Signed by {name} ({seat})"),
    "report.signed_at": ("签发时间：{time}（北京时间）", "Signed {time} (Beijing time)"),
    "report.chief_absent": ("轮值首席缺席原因：{reason}", "Chief absent: {reason}"),
    "report.issued_by": ("发布人：{name}", "Issued by {name}"),
    "report.stamp": ("发布单位：{body}", "Issuing body: {body}"),
    "report.e_signature": (
        "本报告经轮值首席以口令再次验证后电子签发，签发与发布均记入不可修改的审计日志。",
        "Signed electronically by the duty chief (password checked again); signing and issue are in the "
        "append-only audit trail.",
    ),
    "report.h_integrity": ("文件校验", "Integrity"),
    "report.snapshot_hash": ("会商数据快照 SHA-256（签发时锁定的会商数据的指纹，不是任何下载文件的校验值）：",
                             "SHA-256 of the consultation snapshot locked at issue (a fingerprint of the data, "
                             "not the hash of any file you can download):"),
    "report.pdf_hash": ("本期 PDF 报告文件 SHA-256：", "SHA-256 of this issue's PDF report file:"),
    "report.hash_howto": (
        "本期报告的 SHA-256 指 PDF 文件全部字节的 SHA-256，发布时生成并存档，此后不再改变（PDF 不能包含自身的校验值，"
        "故登记在归档、HTML、JSON 与接口中）。核对方法：sha256sum 文件名.pdf，结果应与归档登记值一致。",
        "The report's SHA-256 is that of all bytes of the Chinese PDF file, generated and archived at issue and "
        "never changed (a PDF cannot contain its own hash, so it is recorded in the archive, the HTML, the JSON and "
        "the API; this English version has its own SHA-256 in the archive). To check: sha256sum on the Chinese "
        "PDF file must print the archived value.",
    ),
    "report.hash_howto_json": (
        "本期报告的 SHA-256 指报告数据（JSON 文件）全部字节的 SHA-256，签发时生成并存档，此后不再改变；本 PDF 及 HTML "
        "与文本版由这份数据在首次下载时生成并存档，此后同样不再改变（各自的 SHA-256 另行登记，HTML 注明中文 PDF 的 "
        "SHA-256）。核对方法：sha256sum 文件名.json，结果应与归档登记值一致。",
        "The report's SHA-256 is that of all bytes of its report data (the JSON file), generated and archived at "
        "issue and never changed; this PDF and the HTML and text versions were rendered from that data when first "
        "downloaded, archived then and never changed either (each has its own SHA-256 in the archive; the HTML "
        "names the Chinese PDF's). To check: sha256sum FILE.json must print the archived value.",
    ),
    "report.none": ("无", "None"),
    "report.quoted_as_written": ("（区县与首席撰写的文字按原文引用。）",
                                 "The forecasters' own texts (summary, analyses, conclusion, notes) are quoted as "
                                 "written, in the language they were written in (here, some in Chinese)."),
    "report.sms_header": ("【{body}】{title}，{time}发布。", "[{body}] {title}, issued {time}."),
    # English is about twice as long per day as Chinese in the same 200 characters: "AQI" once, after the name
    "report.sms_day": ("{day}{category}，AQI {lo}-{hi}{primary}", "{day} {category} {lo}-{hi}{primary}"),
    "report.sms_primary": ("，首要污染物{p}", " ({p})"),
    "report.sms_sensitive": ("敏感人群减少户外活动。", "Sensitive groups: reduce outdoor activity."),
    # managers' page
    "report.nav": ("会商报告", "Issued reports"),
    "report.title": ("联合预报会商报告", "Issued combined reports"),
    "report.latest": ("最新发布：{title}", "Latest: {title}"),
    "report.none_issued": ("尚未发布任何会商报告。", "No report has been issued yet."),
    "report.card_day": ("{day}", "{day}"),
    "report.archive": ("历史报告", "Archive"),
    "report.search": ("搜索（结论、总体形势、签发人）", "Search (conclusion, summary, signer)"),
    "report.filter_district": ("区县", "District"),
    "report.filter_level": ("包含级别", "Includes level"),
    "report.filter_chief": ("签发人", "Signed by"),
    "report.filter_from": ("起始日期", "From"),
    "report.filter_to": ("截止日期", "To"),
    "report.all": ("全部", "All"),
    "report.col_title": ("报告", "Report"),
    # the report's hash: its Chinese PDF's, or its JSON's for a report issued with its files on demand
    "report.col_sha": ("报告 SHA-256", "Report SHA-256"),
    "report.col_max_level": ("最高级别", "Highest level"),
    "report.no_match": ("没有符合条件的报告。", "No report matches."),
    "report.pick": ("查看报告", "Open a report"),
    "report.downloads": ("下载（存档文件；尚未生成的由签发时固定的报告数据生成）",
                         "Downloads (the stored files; those not made yet are rendered from the data fixed at issue)"),
    "report.download": ("下载 {fmt}", "Download {fmt}"),
    "report.sha_line": ("报告 SHA-256（中文 PDF，归档登记值）：{sha}", "Report SHA-256 (the Chinese PDF, as archived): {sha}"),
    "report.file_hashes": ("各文件 SHA-256（核对下载的文件）", "Each file's SHA-256 (to check a download)"),
    "report.file_hash_row": ("{name}：{sha}", "{name}: {sha}"),
    "report.file_hash_pending": ("{name}：首次下载时由报告数据生成并存档，之后在此列出其 SHA-256",
                                 "{name}: rendered from the report data and archived when first downloaded; its "
                                 "SHA-256 is listed here after that"),
    "report.file_sha_line": ("所下载文件（{name}）SHA-256：{sha}", "SHA-256 of the file you download ({name}): {sha}"),
    "report.sha_line_on_demand": ("报告数据（JSON）SHA-256：{sha}。签发时固定；PDF、HTML 与文本版在首次下载时由这份数据生成并存档，此后不再改变。",
                                  "Report data (JSON) SHA-256: {sha}. Fixed at issue; the PDF, HTML and text versions are "
                                  "rendered from this data when first downloaded, then stored and never changed."),
    "report.preview_render": ("生成并预览文本版", "Render and preview the text"),
    "report.preview_on_demand": ("这期报告的文件在首次使用时由签发时固定的报告数据生成（约 2 秒）。",
                                 "This report's files are rendered from the data fixed at issue when first used (about 2 s)."),
    "report.sha_kind_json": ("（报告数据）", " (report data)"),
    "report.rendering": ("正在由签发时固定的报告数据生成报告文件……", "Rendering the report files from the data fixed at issue…"),
    "report.verified": ("校验通过：存档文件与登记的 SHA-256 一致。", "Verified: the stored files match their SHA-256."),
    "report.tampered": ("校验失败：存档文件与登记的 SHA-256 不一致！", "Check FAILED: a stored file does not match its SHA-256!"),
    "report.no_files": ("此版本发布时未生成报告文件（仅数据快照）。", "No report files were generated for this revision (snapshot only)."),
    "report.calendar": ("发布级别日历（各区县首个预报日的最高级别）", "Calendar of issued levels (highest level of the first forecast day)"),
    "rep18.cal_axis": ("预报日（发布次日）", "forecast day (the day after issue)"),
    "rep18.cal_issued": ("发布日期", "issued"),
    "report.trail": ("更正记录", "Amendment trail"),
    "report.preview": ("报告预览", "Preview"),
    "report.fmt.pdf": ("PDF（中文）", "PDF (Chinese)"),
    "report.fmt.html": ("HTML（中文）", "HTML (Chinese)"),
    "report.fmt.txt": ("短信/微信文本", "SMS/WeChat text"),
    "report.fmt.json": ("JSON（全部字段）", "JSON (every field)"),
    "report.fmt.en.pdf": ("PDF（英文）", "PDF (English)"),
    "report.fmt.en.html": ("HTML（英文）", "HTML (English)"),
    "report.fmt.en.txt": ("英文短文本", "Short text (English)"),
    "report.no_report_files": ("未找到报告文件 {fmt}。", "No {fmt} file for this report."),
    "report.not_found": ("{day} 没有已发布的会商报告。", "No issued report for {day}."),
    "report.immutable": ("已发布的报告文件不可修改：请发起更正。", "Issued report files never change: open an amendment."),
    # API
    "api.bad_token": ("缺少或无效的 API 令牌。", "Missing or invalid API token."),
    "api.bad_json": ("请求体不是有效的 JSON：{detail}", "The request body is not valid JSON: {detail}"),
    "api.bad_field": ("字段 {field} 无效：{detail}", "Field {field} is invalid: {detail}"),
    "api.bad_date": ("日期“{value}”无效：应为 YYYY-MM-DD。", "Invalid date '{value}': expected YYYY-MM-DD."),
    # tokens
    "tokens.nav": ("API 令牌", "API tokens"),
    "tokens.title": ("个人 API 令牌", "Personal API tokens"),
    "tokens.caption_admin": (
        "令牌以其所有者的身份调用 API（管理员的令牌可读取已发布预报，不能提交区县预报）。每人只能为自己创建令牌；下表列出所有人的令牌，管理员可吊销。令牌只显示一次，系统仅保存其 SHA-256；每次使用都记入审计日志。",
        "A token calls the API as its owner (an administrator's can read issued forecasts, not submit a district's). "
        "Everyone creates their own tokens; the table lists everyone's, and an administrator may revoke them. The token "
        "is shown once; only its SHA-256 is stored; every use is audited."),
    "tokens.caption": (
        "程序可使用令牌（Authorization: Bearer …）以您的身份提交本区县预报，规则与页面相同。令牌只显示一次，系统仅保存其 SHA-256；每次使用都记入审计日志。",
        "A program may use a token (Authorization: Bearer …) to submit your district's forecast as you, under the "
        "same rules as the page. The token is shown once; only its SHA-256 is stored; every use is audited.",
    ),
    "tokens.name": ("令牌名称（用途）", "Token name (purpose)"),
    "tokens.create": ("创建令牌", "Create a token"),
    "tokens.created": ("新令牌（只显示这一次，请立即复制保存）：", "New token (shown only this once: copy it now):"),
    "tokens.revoke": ("吊销", "Revoke"),
    "tokens.revoked_ok": ("令牌 #{id} 已吊销。", "Token #{id} revoked."),
    "tokens.col_id": ("编号", "ID"),
    "tokens.col_owner": ("用户", "User"),
    "tokens.col_name": ("名称", "Name"),
    "tokens.col_prefix": ("前缀", "Prefix"),
    "tokens.col_created": ("创建时间", "Created"),
    "tokens.col_last_used": ("最近使用", "Last used"),
    "tokens.col_state": ("状态", "State"),
    "tokens.active": ("有效", "active"),
    "tokens.revoked": ("已吊销", "revoked"),
    "tokens.none": ("还没有令牌。", "No tokens yet."),
    "tokens.pick": ("选择要吊销的令牌", "Token to revoke"),
    "tokens.not_yours": ("只有令牌所有者或管理员可以管理该令牌。", "Only the token's owner or an administrator may manage it."),
    "tokens.only_own": ("API 令牌只能由本人创建（令牌以其所有者的身份提交）：请 {username} 本人登录后创建；管理员可查看和吊销任何人的令牌。",
                        "An API token can only be created by its owner (it acts as its owner): {username} signs in and "
                        "creates it; administrators can see and revoke anyone's tokens."),
    "tokens.no_such": ("令牌 #{id} 不存在。", "No token #{id}."),
    "tokens.already_revoked": ("令牌 #{id} 已被吊销。", "Token #{id} is already revoked."),
    "tokens.name_too_long": ("令牌名称最多 {n} 个字符。", "A token name has at most {n} characters."),
}
