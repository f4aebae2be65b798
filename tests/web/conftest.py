"""Fixtures of the web tests: a headless Chromium driven by Selenium, and the bot serving its dashboard.

Chromium is Debian's (`apt-get install chromium chromium-driver`, done by `.ci/run`); without it
the browser tests skip, except under CI=true where they fail. Selenium's calls block, so each
runs in a thread while the bot and the dashboard go on answering in the test's event loop.
Set LIAISON_SCREENSHOTS to a folder (docs/screenshots) to keep a picture of every page.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import WebSettings
from bot.storage import Storage
from bot.web import server
from emulator import Emulator
from tests.fixtures.app import RunningBot, campaign_config, start_bot, stop_bot

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """A headless Chromium; every call runs in a thread so the event loop keeps serving."""

    def __init__(self, driver: Any, downloads: Path) -> None:
        self.driver = driver
        self.downloads = downloads

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    async def get(self, url: str) -> None:
        await self._run(self.driver.get, url)

    async def find(self, css: str, timeout: float = 10.0) -> Any:
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        def wait() -> Any:
            return WebDriverWait(self.driver, timeout).until(ec.presence_of_element_located(("css selector", css)))

        return await self._run(wait)

    async def click(self, css: str) -> None:
        element = await self.find(css)
        await self._run(element.click)

    async def click_text(self, text: str, timeout: float = 10.0) -> None:
        """Click the link or button whose text contains `text`."""
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        xpath = f"//*[self::a or self::button][contains(normalize-space(.), {_xpath_literal(text)})]"

        def click() -> None:
            WebDriverWait(self.driver, timeout).until(ec.element_to_be_clickable(("xpath", xpath))).click()

        await self._run(click)

    async def fill(self, css: str, text: str) -> None:
        element = await self.find(css)
        await self._run(element.clear)
        await self._run(element.send_keys, text)

    async def text(self, css: str = "body") -> str:
        element = await self.find(css)
        return str(await self._run(lambda: element.text))

    async def wait_text(self, needle: str, css: str = "body", timeout: float = 10.0) -> str:
        """The text of `css` once it contains `needle`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = ""
        while loop.time() < deadline:
            try:
                seen = await self.text(css)
            except Exception:  # the page is being replaced
                seen = ""
            if needle in seen:
                return seen
            await asyncio.sleep(0.1)
        raise AssertionError(f"{needle!r} not in {css}: {seen[:2000]!r}")

    @property
    def url(self) -> str:
        return str(self.driver.current_url)

    async def download(self, name_part: str, timeout: float = 20.0) -> Path:
        """The file whose name contains `name_part`, once Chromium has finished writing it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            done = [p for p in self.downloads.iterdir() if name_part in p.name and not p.name.endswith(".crdownload")]
            if done:
                return done[0]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no download matching {name_part!r}: {sorted(p.name for p in self.downloads.iterdir())}")

    async def screenshot(self, name: str) -> None:
        folder = os.environ.get("LIAISON_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            await self._run(self.driver.save_screenshot, str(Path(folder) / f"{name}.png"))


def _xpath_literal(text: str) -> str:
    return f"'{text}'" if "'" not in text else f'"{text}"'


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """Headless Chromium (Debian's), downloads into a folder of the test's own."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium and chromium-driver are required under CI=true (.ci/run installs them)")
        pytest.skip("chromium / chromedriver not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000", "--lang=zh-CN"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False, "intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield Browser(driver, downloads)
    finally:
        driver.quit()


@pytest.fixture
async def web_bot(emulator: Emulator, storage: Storage, now: datetime) -> AsyncIterator[RunningBot]:
    """The bot with its dashboard on a free port of 127.0.0.1."""
    config = campaign_config(emulator, web=WebSettings(port=free_port()))
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    try:
        yield bot
    finally:
        await server.stop(bot.app)
        await stop_bot(bot)
