"""Translations for issue #16 (first run, development tooling)."""

MESSAGES = {
    "dev16.demo_building": (
        "演示数据正在构建（或上次构建被中断）。请等待终端中的 `make run` 显示完成后刷新本页；"
        "如构建已中断，再次运行 `make run` 即可重新构建。",
        "The demo world is being built (or its last build was interrupted). Reload this page when `make run` in "
        "the terminal says it is ready; if the build was interrupted, run `make run` again to rebuild it.",
    ),
}
