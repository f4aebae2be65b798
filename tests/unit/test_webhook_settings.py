"""Webhook mode's pieces: the secret token from the environment or made at start, and kept out of logs."""

from __future__ import annotations

import logging

import pytest

from bot import webhook
from bot.telegram_settings import WEBHOOK_SECRET_ENV, TelegramSettings
from bot.logsetup import RedactSecrets

SETTINGS = TelegramSettings(webhook_url="https://bot.example.org/telegram", webhook_port=8444)


def test_the_secret_comes_from_the_environment() -> None:
    assert webhook.secret_token({WEBHOOK_SECRET_ENV: "abc_DEF-123"}) == ("abc_DEF-123", True)
    assert webhook.secret_token({WEBHOOK_SECRET_ENV: "x" * 256})[0] == "x" * 256


def test_without_one_a_random_secret_is_made_at_each_start() -> None:
    first, from_env = webhook.secret_token({})
    second, _ = webhook.secret_token({WEBHOOK_SECRET_ENV: ""})
    assert not from_env and first != second
    assert webhook.SECRET_TOKEN.fullmatch(first) and len(first) >= 32


@pytest.mark.parametrize(("value", "why"), [("has space", "a character other"), ("ключ", "a character other"), ("x" * 257, "longer than 256")])
def test_a_secret_telegram_would_refuse_is_refused_without_showing_it(value: str, why: str) -> None:
    with pytest.raises(ValueError) as caught:
        webhook.secret_token({WEBHOOK_SECRET_ENV: value})
    assert why in str(caught.value) and WEBHOOK_SECRET_ENV in str(caught.value)
    assert value not in str(caught.value)


def test_options_are_what_run_webhook_takes_and_the_repr_hides_the_secret() -> None:
    hook = webhook.prepare(SETTINGS, {WEBHOOK_SECRET_ENV: "s3cret-for-options"})
    assert hook.options == {
        "listen": "127.0.0.1",
        "port": 8444,
        "url_path": "/telegram",
        "webhook_url": "https://bot.example.org/telegram",
        "secret_token": "s3cret-for-options",
        "allowed_updates": ["message", "edited_message", "callback_query"],
    }
    assert hook.listen_url == "http://127.0.0.1:8444/telegram"
    assert "s3cret-for-options" not in repr(hook) and "s3cret-for-options" not in hook.describe()
    assert f"${WEBHOOK_SECRET_ENV}" in hook.describe()
    with pytest.raises(ValueError, match="webhook_url"):
        webhook.prepare(TelegramSettings(), {})


def test_prepare_keeps_the_secret_out_of_library_logs(caplog: pytest.LogCaptureFixture) -> None:
    hook = webhook.prepare(SETTINGS, {WEBHOOK_SECRET_ENV: "prepared-secret-xyz"})
    with caplog.at_level(logging.DEBUG, logger="telegram"):
        logging.getLogger("telegram.ext.ExtBot").debug("Calling Bot API endpoint `%s` with parameters `%s`", "setWebhook", hook.options)
        logging.getLogger("telegram.ext.Updater").debug("echo %s", hook.secret)
    assert "prepared-secret-xyz" not in caplog.text
    assert caplog.text.count("setWebhook") == 1


def test_a_named_secret_token_is_redacted_even_if_unknown(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact.secret")
    logger.addFilter(RedactSecrets([]))
    with caplog.at_level(logging.INFO, logger="test.redact.secret"):
        logger.info("params %s", {"url": "https://x.org", "secret_token": "unknown-Secret_1"})
        logger.info("X-Telegram-Bot-Api-Secret-Token: other-Secret_2")
        logger.info("Request had the wrong secret token: third-Secret_3")
    for secret in ("unknown-Secret_1", "other-Secret_2", "third-Secret_3"):
        assert secret not in caplog.text
    assert caplog.text.count("<secret>") == 3 and "https://x.org" in caplog.text


def test_the_bot_api_client_keeps_the_configured_connections_to_its_one_host() -> None:
    request = TelegramSettings(connections=3, keepalive_s=30, pool_wait_s=2).request()
    assert (request._pool_size, request._keepalive_s, request._pool_timeout) == (3, 30, 2)  # noqa: SLF001
    with pytest.raises(ValueError, match="from 1 to 100 connections"):
        TelegramSettings(connections=0)
    with pytest.raises(ValueError, match="seconds above 0"):
        TelegramSettings(keepalive_s=0)
