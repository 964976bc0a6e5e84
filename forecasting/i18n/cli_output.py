"""Texts of the command line's result lines (``python -m forecasting``): what a command prints when it
succeeds, in the CLI's language (:func:`forecasting.cli.cli_language`; :func:`forecasting.cli.say`).

The English texts are the lines the commands printed before they spoke Chinese, unchanged (scripts and
tests read them). A count whose English noun takes a plural is passed twice: the number for Chinese, and
``NAME_en`` with the English words ("1 station", "2 stations"). Machine-readable output (JSON, CSV, the
tab-separated rows of a listing, a token) is not here: it is the same in every language."""

MESSAGES = {
    # db
    "cliout.db.upgraded": ("数据库已迁移到最新结构；新增或变更的区县：{added} 个",
                           "database at head; districts added or changed: {added}"),
    "cliout.db.agree": ("数据模型与迁移一致", "models and migrations agree"),
    # users
    "cliout.users.created": ("已创建{role} {username}", "created {role} {username}"),
    "cliout.users.created_in": ("已创建{district}{role} {username}", "created {role} {username} ({district})"),
    "cliout.users.first_sign_in": ("；其首次登录时须先设置自己的密码",
                                   "; they choose their own password at their first sign-in"),
    "cliout.users.disabled": ("已停用 {username}", "disabled {username}"),
    "cliout.users.enabled": ("已启用 {username}", "enabled {username}"),
    "cliout.users.password_reset": ("已为 {username} 重置密码，其登录会话已全部结束",
                                    "password reset for {username}; their sessions ended"),
    "cliout.users.next_sign_in": ("；其下次登录时须先设置自己的密码",
                                  "; they choose their own password at their next sign-in"),
    # tokens
    "cliout.tokens.created": ("已为 {username} 创建 API 令牌 #{id}（前缀 {prefix}）；令牌只在此显示这一次：",
                              "created API token #{id} for {username} (prefix {prefix}); it is shown only now:"),
    "cliout.tokens.revoked": ("已吊销 {username} 的 API 令牌 #{id}", "revoked API token #{id} of {username}"),
    # session open, rota show|generate
    "cliout.session.opened": ("发布日期 {issue_date} 的会商（第 {revision} 版）：{state}，目标日期 {first} 至 {last}",
                              "consultation {issue_date} revision {revision}: {state}, target days {first}..{last}"),
    "cliout.rota.none": ("{start} 至 {end} 没有轮值：请运行 `rota generate --from {start} --to {end}`",
                         "no rota turns between {start} and {end}: run `rota generate --from {start} --to {end}`"),
    "cliout.rota.turns_header": ("轮值\t开始\t结束\t区县\t轮值首席\t副班", "turn\tfrom\tto\tdistrict\tchief\tdeputy"),
    "cliout.rota.days_header": ("日期\t区县\t轮值首席\t副班", "day\tdistrict\tchief\tdeputy"),
    "cliout.rota.created": ("已生成 {n} 个轮值", "turns created: {n}"),
    # ingest, obs import
    "cliout.ingest.stored": ("已存储模式 {model} 起报时间 {cycle} 的预报：{hours} 个时次 × {districts} 个区县 × "
                             "{variables} 个变量（共 {values} 个值）；格式 {format}，层次 {level}",
                             "stored {model} cycle {cycle}: {hours} hours × {districts} districts × {variables} "
                             "variables ({values} values); format {format}, level {level}"),
    "cliout.ingest.replaced": ("已替换模式 {model} 起报时间 {cycle} 的预报：{hours} 个时次 × {districts} 个区县 × "
                               "{variables} 个变量（共 {values} 个值）；格式 {format}，层次 {level}",
                               "replaced {model} cycle {cycle}: {hours} hours × {districts} districts × {variables} "
                               "variables ({values} values); format {format}, level {level}"),
    "cliout.obs.imported": ("已导入 {stations} 个站点的观测 {rows} 个（替换 {replaced} 个，新增 {added} 个）"
                            "（{first} 至 {last}）；质控标记 {flagged} 个；区县逐时值 {district_hours} 个",
                            "imported {rows} values from {stations} {stations:plural|station|stations} "
                            "({replaced} replaced, {added} added) "
                            "({first} to {last}); {flagged} flagged by QC; {district_hours} district-hour values"),
    "cliout.obs.reflagged": ("；另有 {reflagged} 个此前已存的观测因本次导入的相邻时次而重新质控标记",
                             "; {reflagged} stored values re-flagged with the new hours beside them"),
    # train, guidance compute
    "cliout.train.kept": ("已完成截至 {until} 的训练（保留，供之后各日的客观预报指导使用）：{records} 条记录",
                          "trained until {until} (kept for the guidance of later days): {records} records"),
    "cliout.train.done": ("已完成截至 {until} 的训练（验证期自 {validation_from} 起）：{records} 条记录",
                          "trained until {until} (validation from {validation_from}): {records} records"),
    "cliout.guidance.computed": ("发布日期 {first} 至 {last} 的客观预报指导：{n} 行",
                                 "guidance for {first}..{last}: {n} {n:plural|row|rows}"),
    # assess, reports export (on stderr: standard output may be the file itself)
    "cliout.assess.written": ("{path}：{size} 字节", "{path}: {size} bytes"),
    "cliout.reports.progress": ("已完成 {done}/{total} 份报告", "{done}/{total} reports"),
    "cliout.reports.written": ("{path}：{reports} 份报告，{size} 字节", "{path}: {reports}, {size} bytes"),
    # demo seed, demo run
    "cliout.demo.building": ("正在生成演示数据（只生成一次；生成中断后，下次运行时重新开始）",
                             "building the demo world (once; an interrupted build is started again by the next run)"),
    "cliout.demo.seeded": ("演示数据已生成", "demo world seeded"),
    "cliout.demo.already_built": ("演示数据此前已生成：不再重复生成", "demo world already built: not seeded again"),
    "cliout.demo.not_empty": ("数据库不为空：未生成演示数据", "database not empty: demo world not seeded"),
    "cliout.demo.open_while_building": ("打开 {url}：页面先显示演示数据的生成进度，完成后显示登录页。",
                                        "Open {url}: the page shows the demo world's build, then the sign-in."),
    "cliout.demo.build_stopped": ("演示数据的生成已停止（退出码 {code}），应用页面也会说明。再次运行 `make run` 即可重新生成。",
                                  "The demo world's build stopped (exit code {code}); the app says so. Run `make run` "
                                  "again to build it."),
}
