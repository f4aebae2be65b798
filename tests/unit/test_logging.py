"""The bot token never reaches a log line, whichever library logs it."""

from __future__ import annotations

import logging

import pytest

from bot.logsetup import RedactSecrets


def test_token_is_scrubbed_from_messages_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    token = "987654321:AAH-secret_token-value-XYZ123456"
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactSecrets([token]))
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("POST https://api.telegram.org/bot%s/getMe", token)
        try:
            raise RuntimeError(f"failed: /bot{token}/sendMessage")
        except RuntimeError:
            logger.exception("send failed")
        logger.info("another bot 123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZ012 is scrubbed by shape")
    text = caplog.text
    assert token not in text
    assert "123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZ012" not in text
    assert text.count("<token>") >= 3
