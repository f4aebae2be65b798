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


def test_invite_tokens_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact.invite")
    logger.addFilter(RedactSecrets([]))
    token = "_WRFFGpjTxJJrPzJ5SdEyOxBsQmSoqfE"
    with caplog.at_level(logging.INFO, logger="test.redact.invite"):
        logger.info("invite: https://t.me/liaison_demo_bot?start=%s", token)
        logger.info("update: text '/start %s'", token)
    assert token not in caplog.text
    assert caplog.text.count("<invite>") == 2


def test_verbose_logging_keeps_the_telegram_library_at_info() -> None:
    from bot.logsetup import setup_logging

    root = logging.getLogger()
    saved = (root.level, root.handlers[:], logging.getLogger("telegram").level)
    try:
        setup_logging(logging.DEBUG)
        assert logging.getLogger("bot.services.reminders.core").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG)  # its debug lines hold messages
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        logging.getLogger("telegram").setLevel(saved[2])


def test_phone_numbers_are_redacted_from_every_record() -> None:
    import logging as _logging

    from bot.logsetup import RedactSecrets

    record = _logging.LogRecord("bot", _logging.INFO, __file__, 1, "liaison %s, tel %s, office %s, chat %d",
                                ("13905645678", "+86 139 0564 5678", "0564-1234567", -1001234567890), None)  # fmt: skip
    RedactSecrets([]).filter(record)
    assert record.getMessage() == "liaison <phone>, tel <phone>, office <phone>, chat -1001234567890"
