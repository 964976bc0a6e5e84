"""The model guidance page in a real headless Chromium on the demo world: the map and meteograms render."""

import pytest

from browser_support import app_server, browser, live, screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_model_guidance_page_renders_map_and_meteograms(demo_url, tmp_path):
    with app_server(demo_url, data_dir=tmp_path) as base, browser() as b:
        page = b.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
        page.goto(base + "/")
        page.get_by_label("用户名").fill("wj_wang")
        page.get_by_label("密码").fill("demo-2026-yrd")
        page.get_by_role("button", name="登录").click()
        page.get_by_text("您好").wait_for()
        page.get_by_role("link", name="模式预报").click()
        page.get_by_text("模式预报场", exact=True).wait_for()  # the title, not the map heading 模式预报场图
        # the script run has reached its end: the meteograms' caption is its last element (a live one,
        # never a stale copy of the previous page's run)
        live(page).get_by_text("黑色粗线：观测", exact=False).wait_for()
        wait_idle(page)
        # the server sent one chart per district; Vega then draws each inside a vega-embed container
        charts = live(page).locator("[data-testid='stVegaLiteChart']")
        assert charts.count() == 3
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
                               ".filter(c => c.querySelector('.vega-embed canvas, .vega-embed svg')).length === 3")
        assert page.locator("[data-testid='stImage'] img").count() == 1
        assert page.get_by_text("合成演示数据").count() >= 1  # the run is labelled synthetic
        screenshot(page, "model-guidance")

        # at 1024 px (a small laptop, a projector) every picker shows its whole value: the cycle's
        # "2026-12-07 20:00 (12Z)" was cut to "(12Z" in three equal columns
        page.set_viewport_size({"width": 1024, "height": 768})
        page.wait_for_function("() => document.documentElement.clientWidth === 1024")
        cut = page.evaluate("() => [...document.querySelectorAll('[data-testid=stMain] input')]"
                            ".filter(i => i.offsetParent && i.value && i.scrollWidth > i.clientWidth + 1)"
                            ".map(i => [i.getAttribute('aria-label'), i.value, i.scrollWidth, i.clientWidth])")
        assert cut == [], cut
