"""Help texts of the command line (``python -m forecasting [COMMAND] --help``), in the CLI's language
(:func:`forecasting.cli.cli_language`: the terminal's locale), through :func:`forecasting.cli.helptext`.

argparse %-formats every ``help=`` text (``%(default)s``...): a percent sign is written ``%%`` in both languages.
The description and the epilog of the top level are printed as written (line breaks included); the other
texts are wrapped to the terminal's width.
"""

MESSAGES = {
    # the top level (``python -m forecasting --help``): printed as written
    "clihelp.description": (
        "长三角示范区空气质量联合预报会商 · Joint air-quality forecast consultation\n"
        "青浦区、吴江区、嘉善县空气质量联合预报：模式网格、统计订正、\n"
        "中国 AQI（HJ 633）、会商、已发布的报告。",
        "长三角示范区空气质量联合预报会商 · Joint air-quality forecast consultation of Qingpu, Wujiang and\n"
        "Jiashan: model grids, statistical correction, China's AQI (HJ 633), consultations, issued reports.",
    ),
    "clihelp.epilog": (
        "每个命令都作用于 DATABASE_URL 指向的数据库（默认：SQLite 文件\n"
        "var/forecasting.sqlite3，FORECASTING_DATA_DIR 可改变其位置）。\n"
        "启动应用：make run。`python -m forecasting COMMAND --help` 显示单个命令的说明。\n"
        "\n"
        "示例：\n"
        "  python -m forecasting aqi pm25_24h=80 o3_8h=150     一天各指标浓度的 AQI\n"
        "  python -m forecasting inspect RUN.nc                 模式文件包含哪些内容\n"
        "  python -m forecasting extract RUN.nc > series.csv    模式文件的区县逐时均值\n"
        "  python -m forecasting users create-admin USERNAME    生产数据库的首位管理员\n"
        "\n"
        "各命令的说明见 README.md 与 docs/。",
        "Every command acts on DATABASE_URL (default: the SQLite file var/forecasting.sqlite3; FORECASTING_DATA_DIR\n"
        "moves it). The app itself: make run. `python -m forecasting COMMAND --help` tells more of one command.\n"
        "\n"
        "examples:\n"
        "  python -m forecasting aqi pm25_24h=80 o3_8h=150     the AQI of a day's concentrations\n"
        "  python -m forecasting inspect RUN.nc                 what a model file holds\n"
        "  python -m forecasting extract RUN.nc > series.csv    district hourly means of a model file\n"
        "  python -m forecasting users create-admin USERNAME    the first administrator of a production database\n"
        "\n"
        "README.md and docs/ describe each command.",
    ),
    # texts shared by several commands
    "clihelp.common.model_files": ("一次起报的 NetCDF 文件，或其 ZIP 压缩包、.nc.gz 文件",
                                   "NetCDF files of one model run, or their ZIP archive or .nc.gz"),
    "clihelp.common.model_or_path": ("模式名称（映射文件 data/models/NAME.yaml）或映射文件路径",
                                     "model name (mapping file data/models/NAME.yaml) or path"),
    "clihelp.common.display_name": ("显示名称", "display name"),
    "clihelp.common.temporary": ("用户须先把此密码换成自己的密码，才能进行其他操作",
                                 "the user replaces this password with their own before doing anything else"),
    # aqi
    "clihelp.aqi.help": ("指标浓度的中国 AQI（HJ 633），以 JSON 输出",
                         "China AQI (HJ 633) of indicator concentrations, printed as JSON"),
    "clihelp.aqi.description": (
        "按 HJ 633-2012 / HJ 633-2026 计算指标浓度的中国 AQI，以 JSON 输出。KEY 为以下之一：{indicators}；"
        "浓度单位为 µg/m³，CO 为 mg/m³。",
        "China AQI (HJ 633-2012 / HJ 633-2026) of indicator concentrations, printed as JSON. "
        "KEY is one of: {indicators}; values in µg/m³, CO in mg/m³.",
    ),
    "clihelp.aqi.date": ("目标日期（北京时间）；据此选择 HJ 633 的版本", "target date (Beijing); chooses the edition"),
    "clihelp.aqi.edition": ("指定 HJ 633 的版本", "force an edition of HJ 633"),
    "clihelp.aqi.hourly": ("计算实时（小时）AQI，而非日 AQI", "real-time (hourly) AQI instead of daily"),
    "clihelp.aqi.pairs": ("指标浓度", "indicator concentration"),
    # assess
    "clihelp.assess.help": ("月度或年度评估（HJ 663 空气质量、预报准确率）",
                            "monthly or annual assessment (HJ 663 air quality, forecast accuracy)"),
    "clihelp.assess.description": (
        "示范区的月度或年度评估：按 HJ 663 评价各区县及示范区的观测空气质量，以及已发布预报的准确率。",
        "Monthly or annual assessment of the zone: observed air quality of each district and the zone by HJ 663 "
        "and the accuracy of the issued forecasts.",
    ),
    "clihelp.assess.month": ("月份，YYYY-MM（如 2026-10）", "a month, YYYY-MM (e.g. 2026-10)"),
    "clihelp.assess.year": ("年份，YYYY（如 2026）", "a year, YYYY (e.g. 2026)"),
    "clihelp.assess.out": ("写入此文件（默认：标准输出；pdf 格式必须给出）",
                           "write to this file (default: standard output; required for pdf)"),
    # session, rota
    "clihelp.session.help": ("会商", "consultation sessions"),
    "clihelp.session.open.help": ("开启某个发布日期的会商（已开启则什么也不做；供每日定时任务使用）",
                                  "open the consultation of an issue date (idempotent; for the daily cron)"),
    "clihelp.session.open.date": ("发布日期（北京时间）YYYY-MM-DD（默认：北京时间今天）",
                                  "Beijing issue date YYYY-MM-DD (default: today in Beijing)"),
    "clihelp.session.open.days": ("目标日期 D+1..D+N（N >= 3；默认取自设置）",
                                  "target days D+1..D+N (N >= 3; default from settings)"),
    "clihelp.rota.help": ("轮值首席值班表", "rota of the duty chief seat"),
    "clihelp.rota.show.help": ("显示某时段（默认：本周和下周）的轮值；加 --days 时还显示每天的值班",
                               "print the turns (and with --days each day's duty) of a date range "
                               "(default: this week and next)"),
    "clihelp.rota.show.from": ("默认：本周一", "default: this Monday"),
    "clihelp.rota.show.to": ("默认：下周日", "default: Sunday of next week"),
    "clihelp.rota.show.days": ("另外每天输出一行", "also print one line per day"),
    "clihelp.rota.generate.help": ("按轮换周期（各区县依次轮流）为某时段生成轮值",
                                   "fill a date range with turns from the cycle (round-robin)"),
    "clihelp.rota.generate.cycle_days": ("每个轮值的天数（默认 7）", "days per turn (default 7)"),
    # backtest
    "clihelp.backtest.help": ("按时间顺序在预报与观测 CSV 上评估各订正方法",
                              "score the correction methods in time order on forecast and observation CSVs"),
    "clihelp.backtest.description": (
        "滚动起点回测：每个预报只用其发布时已知的数据订正；自 --test-from 起按订正方法、污染物和预报第几天给出逐小时评分。",
        "Rolling-origin backtest: every forecast is corrected with what was known at its issue "
        "time; hourly scores per method, pollutant and lead day from --test-from on.",
    ),
    "clihelp.backtest.forecasts": ("预报 CSV，列为 model,cycle,valid_time,district,variable,value",
                                   "model,cycle,valid_time,district,variable,value"),
    "clihelp.backtest.observations": ("观测 CSV，列为 time,district,pollutant,value", "time,district,pollutant,value"),
    "clihelp.backtest.test_from": ("检验期的第一天（北京时间）", "first Beijing day of the test period"),
    "clihelp.backtest.methods": ("以逗号分隔的订正方法（默认：全部）", "comma-separated methods (default: all)"),
    "clihelp.backtest.issue_delay_hours": ("发布时间 = 起报时间 + H 小时（默认 6）",
                                           "issue time = cycle + H hours (default 6)"),
    "clihelp.backtest.validation_days": ("--test-from 之前用于选择最佳方法的天数（默认 30）",
                                         "days before --test-from used to choose the best method (default 30)"),
    "clihelp.backtest.pairs": (
        "另外写出检验期已评分的各行：method,model,district,pollutant,cycle,valid_time,"
        "lead_day,forecast,q10,q50,q90,observed",
        "also write the scored test-period rows: method,model,district,pollutant,cycle,valid_time,"
        "lead_day,forecast,q10,q50,q90,observed",
    ),
    # ingest, obs
    "clihelp.ingest.help": ("存储一次模式起报的区县序列（替换该起报时间已存的数据）",
                            "store the district series of one model run (replaces that cycle)"),
    "clihelp.ingest.model": ("模式名称（及映射文件 data/models/NAME.yaml）",
                             "model name (and mapping file data/models/NAME.yaml)"),
    "clihelp.ingest.districts": ("区县边界文件（默认：内置的区县边界）", "boundary file (default: the bundled districts)"),
    "clihelp.ingest.cycle": ("起报时间（世界时），文件未写明时使用", "initialisation time (UTC) when the file does not say it"),
    "clihelp.ingest.force": ("即使文件中没有数据也存储，或用大部分缺测的数据替换已存的起报",
                             "store the run even if it is empty, or replace a stored cycle with a mostly-empty one"),
    "clihelp.obs.help": ("站点观测", "station observations"),
    "clihelp.obs.import.help": ("导入站点逐时观测（CSV、制表符分隔的文本、Excel 工作簿或其 ZIP；宽表或长表）",
                                "import hourly station observations (CSV, tab-separated text, Excel workbooks or their "
                                "ZIP; wide or long)"),
    "clihelp.obs.import.csv": ("观测数据：CSV 文件、制表符分隔的文本（.txt）、Excel 工作簿（.xlsx、.xls）或其 ZIP 压缩包"
                               "（多个文件一并读取）",
                               "observations: CSV files, tab-separated text (.txt), Excel workbooks (.xlsx, .xls) or ZIPs "
                               "of them (several: read together)"),
    "clihelp.obs.import.stations": ("站点信息（CSV、制表符分隔的文本 .txt、.xlsx 或 .xls）：station,name,lon,lat,district",
                                    "station metadata (CSV, tab-separated .txt, .xlsx or .xls): station,name,lon,lat,district"),
    "clihelp.obs.import.timezone": ("不带时区偏移的时间所在的时区，如 Asia/Shanghai（北京时间）",
                                    "zone of times without an offset, e.g. Asia/Shanghai (Beijing time)"),
    "clihelp.obs.import.hour_label": ("文件以小时的结束时刻（默认）还是开始时刻标注该小时",
                                      "whether the file labels an hour by its end (default) or its beginning"),
    # db
    "clihelp.db.help": ("数据库迁移", "database migrations"),
    "clihelp.db.upgrade.help": ("将 DATABASE_URL（或默认的 SQLite 数据库）迁移到最新结构",
                                "migrate DATABASE_URL (or the SQLite default) to the newest schema"),
    "clihelp.db.upgrade.districts": ("要载入的区县边界文件（默认：data/districts.geojson）",
                                     "boundary file to load (default: data/districts.geojson)"),
    "clihelp.db.check.help": ("数据模型与迁移不一致时报错", "fail when the models and the migrations disagree"),
    # demo
    "clihelp.demo.help": ("演示数据", "the demo world"),
    "clihelp.demo.seed.help": ("在空数据库中生成演示数据", "seed the demo world into an empty database"),
    "clihelp.demo.seed.if_empty": ("数据库中已有用户时什么也不做（并返回成功）",
                                   "do nothing (and succeed) when the database has users"),
    "clihelp.demo.seed.days": ("历史天数（默认 60）", "days of history (default 60)"),
    "clihelp.demo.seed.files_days": ("最近多少天的起报写成模式文件（默认 7）",
                                     "newest cycles written as model files (default 7)"),
    "clihelp.demo.seed.progress": ("显示进度条（在终端上为默认）或每个阶段一行",
                                   "a progress bar (on a terminal, the default) or one line per stage"),
    "clihelp.demo.run.help": ("启动应用；数据库为空时同时在后台生成演示数据（make run）",
                              "start the app; build the demo world beside it when the database is empty (make run)"),
    "clihelp.demo.reset.help": (
        "删除 SQLite 演示数据库，使下次 make run 按今天重新生成演示数据（make demo-fresh）；不会删除非演示数据库",
        "delete the SQLite demo database, so the next make run builds a demo world for today (make demo-fresh); "
        "never a database that is not a demo world",
    ),
    "clihelp.demo.run.host": ("应用监听的地址（默认 127.0.0.1，仅本机；其他机器访问用 0.0.0.0，须在防火墙之后）",
                              "address the app listens on (default 127.0.0.1, this machine only; 0.0.0.0 for other "
                              "machines, behind the network's firewall)"),
    "clihelp.common.port": ("应用的端口（默认 8501）", "the app's port (default 8501)"),
    "clihelp.demo.banner.url": ("显示的应用网址", "the app's address to print"),
    "clihelp.demo.reset.host": ("应用运行的地址（应用须已停止）", "where the app would run (it must be stopped)"),
    "clihelp.demo.banner.help": ("显示网址，演示模式下还显示演示账户", "print the URL and, in demo mode, the demo accounts"),
    # inspect, extract
    "clihelp.inspect.help": ("以 JSON 描述模式网格文件", "describe model grid files as JSON"),
    "clihelp.extract.help": ("从模式网格文件计算区县逐时均值，输出 CSV", "district hourly means from model grid files as CSV"),
    "clihelp.extract.districts": ("带 'adcode' 属性的区县边界 GeoJSON", "boundary GeoJSON with an 'adcode' property"),
    # train, guidance
    "clihelp.train.help": ("按区县和污染物选择订正方法（回测）",
                           "choose the correction method per district and pollutant (backtest)"),
    "clihelp.train.until": ("截止日期（北京时间；默认：今天）", "Beijing date of the cut-off (default: today)"),
    "clihelp.assess.format": ("文件格式（默认 csv；pdf 须同时给 --out）", "file format (default csv; pdf needs --out)"),
    "clihelp.assess.lang": ("报告的语言（默认中文）", "language of the report (default Chinese)"),
    "clihelp.rota.generate.from": ("第一个排班日期（北京时间，YYYY-MM-DD）", "first Beijing day to fill (YYYY-MM-DD)"),
    "clihelp.rota.generate.to": ("最后一个排班日期（北京时间，YYYY-MM-DD）；已排班的日子保持不变",
                                 "last Beijing day to fill (YYYY-MM-DD); days already covered are left alone"),
    "clihelp.tokens.create.username": ("令牌所属的用户（令牌以其身份和权限操作）",
                                       "the user the token acts as (with their role and district)"),
    "clihelp.tokens.revoke.id": ("令牌编号（tokens list 的第一列）", "the token's number (the first column of tokens list)"),
    "clihelp.users.username": ("用户名", "the user name"),
    "clihelp.users.add.role": ("角色：forecaster（预报员，须给 --district）、manager（管理人员）或 admin（系统管理员）",
                               "role: forecaster (needs --district), manager or admin"),
    "clihelp.verify.format": ("输出格式（默认 json）", "output format (default json)"),
    "clihelp.train.history_days": ("训练所用的天数：截止日期之前多少天的模式与观测（默认 60）",
                                   "days of model runs and observations before the cut-off that a training uses "
                                   "(default 60)"),
    "clihelp.train.validation_days": ("其中最后多少天用于比较各订正方法、选出最佳（默认 14；不足 7 天不训练）",
                                      "of those, the last days on which the methods are compared and the best chosen "
                                      "(default 14; a training with fewer than 7 is skipped)"),
    "clihelp.train.every_days": ("与 --since 同用：补记的训练每隔多少天一次（默认 7，即每周）",
                                 "with --since: days between the recorded trainings (default 7, weekly)"),
    "clihelp.train.methods": ("以逗号分隔的部分订正方法", "comma-separated subset of the methods"),
    "clihelp.train.since": (
        "另外补记定时任务自此日期（北京时间）起（每 --every-days 天一次）本应运行的训练，使过去的客观预报指导只用当时已知的数据",
        "also record the trainings a cron would have run from this Beijing date on "
        "(every --every-days), so that past guidance uses what was known then",
    ),
    "clihelp.guidance.help": ("客观预报指导", "objective guidance"),
    "clihelp.guidance.compute.help": ("计算并存储各发布日期的客观预报指导", "compute and store the guidance of issue dates"),
    "clihelp.guidance.compute.from": ("第一个发布日期（默认：今天）", "first issue date (default: today)"),
    "clihelp.guidance.compute.to": ("最后一个发布日期（默认：同 --from）", "last issue date (default: --from)"),
    # reports
    "clihelp.reports.help": ("已发布的报告（将一个月的报告导出为一个 ZIP 文件）",
                             "issued reports (export a month's to one ZIP file)"),
    "clihelp.reports.export.help": ("某时段已发布的报告，打包为一个含 index.csv 的 ZIP 文件",
                                    "the issued reports of a period in one ZIP file, with index.csv"),
    "clihelp.reports.export.description": (
        "将某时段已发布的报告打包为一个 ZIP 文件：每份报告的文件与存档完全一致（按其 SHA-256 核对），另附 index.csv，"
        "列出发布时间、签发人、最高等级和哈希值。除非给出 --current-only，已被取代的修订版也包括在内。",
        "The issued reports of a period in one ZIP file: each report's file exactly as "
        "archived (checked against its SHA-256), and index.csv with issue time, signer, "
        "highest level and hashes. Superseded revisions are included unless "
        "--current-only.",
    ),
    "clihelp.reports.export.month": ("月份，YYYY-MM（如 2026-11）", "a month, YYYY-MM (e.g. 2026-11)"),
    "clihelp.reports.export.year": ("年份，YYYY（一个文件最多 70 份报告：整年请用 --month 逐月导出）",
                                    "a year, YYYY (at most 70 reports in one file: use --month for a whole year)"),
    "clihelp.reports.export.from": ("第一个发布日期，YYYY-MM-DD（与 --to 同用）",
                                    "first issue date, YYYY-MM-DD (with --to)"),
    "clihelp.reports.export.to": ("最后一个发布日期，YYYY-MM-DD（与 --from 同用）",
                                  "last issue date, YYYY-MM-DD (with --from)"),
    "clihelp.reports.export.format": ("每期报告放入 ZIP 的文件（默认 pdf）：pdf、html、json，txt 为短信/微信文本，"
                                      "en.pdf、en.html、en.txt 为英文版",
                                      "the file of each report put in the ZIP: pdf, html, txt (the short text), json, or "
                                      "the English en.pdf, en.html, en.txt (default pdf)"),
    "clihelp.reports.export.lang": ("index.csv 表头的语言", "headings of index.csv"),
    "clihelp.reports.export.current_only": ("不包括已被取代的修订版", "leave out superseded revisions"),
    "clihelp.reports.export.out": ("要写入的 ZIP 文件", "the ZIP file to write"),
    # tokens
    "clihelp.tokens.help": ("个人 API 令牌", "personal API tokens"),
    "clihelp.tokens.create.help": ("为用户创建令牌（只显示这一次）", "create a token for a user (printed once)"),
    "clihelp.tokens.create.name": ("令牌的用途", "what the token is for"),
    "clihelp.tokens.revoke.help": ("按编号吊销令牌", "revoke a token by its id"),
    "clihelp.tokens.list.help": ("列出令牌（编号、用户、前缀、状态、最后使用时间、名称）",
                                 "list tokens (id, user, prefix, state, last use, name)"),
    "clihelp.tokens.list.user": ("只列出此用户的令牌", "only this user's tokens"),
    # users
    "clihelp.users.help": ("用户账户", "user accounts"),
    "clihelp.users.create_admin.help": ("创建系统管理员（密码来自提示输入或标准输入）",
                                        "create an administrator (password from a prompt or stdin)"),
    "clihelp.users.add.help": ("创建用户（密码来自提示输入或标准输入）", "create a user (password from a prompt or stdin)"),
    "clihelp.users.add.district": ("预报员所属的区县，名称或代码（青浦区 310118、吴江区 320509、嘉善县 330421）",
                                   "a forecaster's district, by name or code (Qingpu 310118, Wujiang 320509, "
                                   "Jiashan 330421)"),
    "clihelp.users.disable.help": ("停用用户并结束其登录会话", "disable a user and end their sessions"),
    "clihelp.users.enable.help": ("启用已停用的用户", "enable a disabled user"),
    "clihelp.users.reset_password.help": ("设置新密码（来自提示输入或标准输入）",
                                          "set a new password (from a prompt or stdin)"),
    "clihelp.users.list.help": ("列出用户", "list users"),
    # verify
    "clihelp.verify.help": ("检验已发布预报、客观预报指导、模式与持续性预报",
                            "verify issued forecasts, guidance, models and persistence"),
    "clihelp.verify.from": ("参与检验的第一个目标日期（YYYY-MM-DD）", "first target date verified (YYYY-MM-DD)"),
    "clihelp.verify.to": ("参与检验的最后一个目标日期（YYYY-MM-DD）", "last target date verified (YYYY-MM-DD)"),
    "clihelp.verify.by": ("分组：以逗号分隔的 lead_day,district,month,season,duty_chief,obs_class（实况等级：优良、轻度污染、"
                          "中度及以上），或 all（默认 lead_day）",
                          "breakdown: comma-separated lead_day,district,month,season,duty_chief,obs_class (the observed "
                          "level: good, light, moderate or worse) or all (default lead_day)"),
    "clihelp.verify.event_rule": ("预报范围的上限（默认）或中值超过阈值时，视为预报 AQI > 阈值",
                                  "a range forecasts AQI > threshold when its upper bound (default) or its centre "
                                  "exceeds it"),
    "clihelp.verify.weights": ("综合评分的权重 primary,level,aqi（默认 0.2,0.5,0.3）",
                               "composite score weights primary,level,aqi (default 0.2,0.5,0.3)"),
    "clihelp.verify.pairs": ("另外（JSON）或改为（CSV）给出逐日配对", "also (JSON) or instead (CSV) give the day-by-day pairs"),
    "clihelp.verify.summary": (
        "（JSON）加入同口径汇总：95 %% 区块自助法区间、按上一时段选出的参照、相同个例上的比较",
        "(JSON) add the like-with-like summary: 95 %% block-bootstrap intervals, the reference chosen "
        "on the preceding period, comparisons on common cases",
    ),
}
