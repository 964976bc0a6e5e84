"""Translations for issue #16 (first run, development tooling)."""

MESSAGES = {
    "dev16.demo_building": (
        "演示数据正在构建（或上次构建被中断）。请等待终端中的 `make run` 显示完成后刷新本页；"
        "如构建已中断，再次运行 `make run` 即可重新构建。",
        "The demo world is being built (or its last build was interrupted). Reload this page when `make run` in "
        "the terminal says it is ready; if the build was interrupted, run `make run` again to rebuild it.",
    ),
    "dev16.build.title": ("正在生成演示数据", "Building the demo world"),
    "dev16.build.intro": (
        "首次运行：系统正在生成演示数据（账户、历史观测、模式预报、订正、客观指导、会商与报告）。"
        "完成后本页自动进入登录，无需刷新。",
        "First run: the app is building the demo data (accounts, past observations, model runs, corrections, "
        "guidance, consultations and reports). This page moves on to the sign-in by itself when it is done.",
    ),
    "dev16.build.elapsed": ("已用 {elapsed}，{left}", "{elapsed} so far, {left}"),
    "dev16.build.left": ("预计还需约 {left}", "about {left} left"),
    "dev16.build.estimating": ("正在估算剩余时间", "estimating the time left"),
    "dev16.build.stopped": (
        "演示数据的生成已中断，数据库中尚无可用的演示数据。请在终端再次运行 `make run`，系统会重新生成。",
        "The demo world's build stopped before it was complete; there is no demo data yet. Run `make run` "
        "in the terminal again to rebuild it.",
    ),
    "dev16.seconds": ("{s} 秒", "{s} s"),
    "dev16.minutes_seconds": ("{m} 分 {s} 秒", "{m} min {s} s"),
    "dev16.stage.accounts": ("创建账户", "creating accounts"),
    "dev16.stage.observations": ("写入观测", "storing observations"),
    "dev16.stage.model_runs": ("生成并入库模式预报", "writing and ingesting model runs"),
    "dev16.stage.trained_corrections": ("训练订正方法", "training corrections"),
    "dev16.stage.guidance_rows": ("计算历史客观指导并模拟前期会商", "computing the guidance history and the earlier consultations"),
    "dev16.stage.consultations": ("模拟会商并生成报告", "running consultations and rendering reports"),
    "dev16.stage.done": ("即将完成", "finishing"),
}
