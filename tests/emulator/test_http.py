"""The emulator over raw HTTP: answer shapes, parameter encodings and spec checks."""

import json

import httpx
import pytest

from emulator import Emulator


@pytest.fixture
async def http(emulator: Emulator) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}{emulator.bot_token}/") as client:
        yield client


async def test_get_me_answers_in_telegram_shape(http: httpx.AsyncClient) -> None:
    answer = (await http.get("getMe")).json()
    assert answer["ok"] is True
    assert answer["result"]["username"] == "liaison_demo_bot"
    assert answer["result"]["is_bot"] is True
    assert answer["result"]["id"] == 123456


async def test_method_names_are_case_insensitive(http: httpx.AsyncClient) -> None:
    assert (await http.post("GETME")).json()["ok"] is True


async def test_unknown_token_is_unauthorized(emulator: Emulator) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{emulator.base_url}999:OTHER/getMe")
    assert answer.status_code == 401
    assert answer.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert emulator.violations[-1]["problem"] == "unknown bot token"
    emulator.violations.clear()


async def test_unknown_method_is_not_found(emulator: Emulator, http: httpx.AsyncClient) -> None:
    with emulator.expect_violations() as caught:
        answer = await http.post("sendTelepathy", json={"chat_id": 1})
    assert answer.status_code == 404
    assert answer.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert caught[0]["problem"] == "unknown method"


@pytest.mark.parametrize("encoding", ["json", "form", "query", "multipart"])
async def test_parameters_arrive_in_every_encoding(
    emulator: Emulator, http: httpx.AsyncClient, encoding: str
) -> None:
    user = emulator.user(1001, "李明")
    await user.send("/start")
    params = {"chat_id": "1001", "text": "您好", "disable_notification": "true"}
    if encoding == "json":
        answer = await http.post("sendMessage", json={**params, "chat_id": 1001})
    elif encoding == "form":
        answer = await http.post("sendMessage", data=params)
    elif encoding == "query":
        answer = await http.get("sendMessage", params=params)
    else:
        answer = await http.post(
            "sendMessage", files={k: (None, v) for k, v in params.items()}
        )
    assert answer.json()["ok"] is True, answer.json()
    assert user.last_text == "您好"


async def test_unknown_parameter_is_rejected_and_recorded(
    emulator: Emulator, http: httpx.AsyncClient
) -> None:
    await emulator.user(1001, "Li").send("/start")
    with emulator.expect_violations() as caught:
        answer = await http.post("sendMessage", json={"chat_id": 1001, "text": "x", "colour": 1})
    assert answer.status_code == 400
    assert answer.json()["description"] == 'Bad Request: unknown parameter "colour"'
    assert caught == [
        {
            "method": "sendMessage",
            "problem": 'Bad Request: unknown parameter "colour"',
            "params": {"chat_id": 1001, "text": "x", "colour": 1},
            "expected": True,
        }
    ]


async def test_missing_required_parameter(emulator: Emulator, http: httpx.AsyncClient) -> None:
    with emulator.expect_violations():
        no_chat = (await http.post("sendMessage", json={"text": "x"})).json()
        no_text = (await http.post("sendMessage", json={"chat_id": 1})).json()
    assert no_chat["description"] == "Bad Request: chat_id is empty"
    assert no_text == {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"chat_id": "abc", "message_id": "x"}, '"message_id": expected Integer'),
        ({"chat_id": 1, "message_id": 1, "disable_notification": "maybe"}, "Boolean"),
        ({"chat_id": 1, "message_id": 1, "reply_markup": "{not json"}, "reply keyboard markup"),
        (
            {"chat_id": 1, "message_id": 1, "reply_markup": json.dumps({"inline_keyboard": [[{}]]})},
            'field "inline_keyboard[0][0].text"',
        ),
    ],
    ids=["integer", "boolean", "json-object", "nested-required"],
)
async def test_wrongly_typed_parameters(
    emulator: Emulator, http: httpx.AsyncClient, params: dict[str, object], fragment: str
) -> None:
    payload = {"from_chat_id": 1, **params}
    with emulator.expect_violations():
        answer = await http.post("copyMessage", data={k: str(v) for k, v in payload.items()})
    assert answer.status_code == 400
    assert answer.json()["description"].startswith("Bad Request: ")
    assert fragment in answer.json()["description"]


async def test_html_is_parsed_like_telegram(emulator: Emulator, http: httpx.AsyncClient) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    html = '<b>截止</b> <a href="https://t.me/x">链接</a> &lt;3 A&B <tg-spoiler>s</tg-spoiler>'
    answer = await http.post("sendMessage", json={"chat_id": 1001, "text": html, "parse_mode": "HTML"})
    result = answer.json()["result"]
    assert result["text"] == "截止 链接 <3 A&B s"
    assert [e["type"] for e in result["entities"]] == ["bold", "text_link", "spoiler"]
    assert result["entities"][1] == {"type": "text_link", "offset": 3, "length": 2, "url": "https://t.me/x"}
    assert user.last.parse_mode == "HTML"
    assert user.last.source == html


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<b>bold", 'can\'t parse entities: Can\'t find end tag corresponding to start tag "b"'),
        ("1 &lt; 2 <foo>", 'can\'t parse entities: Unsupported start tag "foo" at byte offset 9'),
        ("1 < 2", "can't parse entities: Unexpected end of name token at byte offset 3"),
        ("<b>x</i>", "can't parse entities: Unmatched end tag at byte offset 4"),
        ("<span>x</span>", "can't parse entities: Tag \"span\" must have class"),
        ("<b> </b>", "message text is empty"),
        ("x" * 4097, "message is too long"),
    ],
    ids=["unclosed", "unsupported", "bare-lt", "unmatched", "span", "empty", "too-long"],
)
async def test_bad_html_and_lengths_are_rejected(
    emulator: Emulator, http: httpx.AsyncClient, text: str, description: str
) -> None:
    await emulator.user(1001, "Li").send("/start")
    with emulator.expect_violations():
        answer = await http.post(
            "sendMessage", json={"chat_id": 1001, "text": text, "parse_mode": "HTML"}
        )
    assert answer.status_code == 400
    assert answer.json()["description"].startswith(f"Bad Request: {description}")


async def test_text_of_4096_characters_after_parsing_is_accepted(
    emulator: Emulator, http: httpx.AsyncClient
) -> None:
    await emulator.user(1001, "Li").send("/start")
    text = "<b>" + "字" * 4096 + "</b>"
    answer = await http.post("sendMessage", json={"chat_id": 1001, "text": text, "parse_mode": "HTML"})
    assert answer.json()["ok"] is True


async def test_callback_data_over_64_bytes(emulator: Emulator, http: httpx.AsyncClient) -> None:
    await emulator.user(1001, "Li").send("/start")
    markup = {"inline_keyboard": [[{"text": "提交", "callback_data": "数" * 22}]]}  # 66 bytes
    with emulator.expect_violations():
        answer = await http.post("sendMessage", json={"chat_id": 1001, "text": "x", "reply_markup": markup})
    assert answer.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_more_than_100_inline_buttons_are_refused(emulator: Emulator, http: httpx.AsyncClient) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")

    def keyboard(n: int) -> dict[str, object]:
        buttons = [{"text": f"单位{i}", "callback_data": f"u{i}"} for i in range(n)]
        return {"inline_keyboard": [buttons[i : i + 2] for i in range(0, n, 2)]}

    ok = await http.post("sendMessage", json={"chat_id": 1001, "text": "x", "reply_markup": keyboard(100)})
    assert ok.json()["ok"] is True and len(user.last.buttons) == 100
    mid = ok.json()["result"]["message_id"]
    with emulator.expect_violations() as caught:
        sent = await http.post("sendMessage", json={"chat_id": 1001, "text": "x", "reply_markup": keyboard(101)})
        edited = await http.post("editMessageText", json={"chat_id": 1001, "message_id": mid, "text": "y", "reply_markup": keyboard(101)})
        markup = await http.post("editMessageReplyMarkup", json={"chat_id": 1001, "message_id": mid, "reply_markup": keyboard(102)})
    for answer in (sent, edited, markup):
        assert answer.status_code == 400
        assert answer.json() == {"ok": False, "error_code": 400, "description": "Bad Request: reply markup is too long"}
    assert [c["method"] for c in caught] == ["sendMessage", "editMessageText", "editMessageReplyMarkup"]
    assert user.last.text == "x" and len(user.last.buttons) == 100  # nothing changed


async def test_edit_message_text_without_text(emulator: Emulator, http: httpx.AsyncClient) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    mid = (await http.post("sendMessage", json={"chat_id": 1001, "text": "a"})).json()["result"]["message_id"]
    with emulator.expect_violations() as caught:
        answer = await http.post("editMessageText", json={"chat_id": 1001, "message_id": mid})
    assert answer.status_code == 400
    assert answer.json() == {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
    assert caught[0]["problem"] == "Bad Request: message text is empty"
    assert user.last.text == "a" and not user.last.edited


async def test_chat_rules(emulator: Emulator, http: httpx.AsyncClient) -> None:
    emulator.user(1001, "Li")  # exists but never started the bot
    unknown = (await http.post("sendMessage", json={"chat_id": 5, "text": "x"})).json()
    not_started = await http.post("sendMessage", json={"chat_id": 1001, "text": "x"})
    assert unknown["description"] == "Bad Request: chat not found"
    assert not_started.status_code == 403
    assert not_started.json()["description"] == "Forbidden: bot can't initiate conversation with a user"


async def test_edit_not_modified_and_delete(emulator: Emulator, http: httpx.AsyncClient) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    sent = (await http.post("sendMessage", json={"chat_id": 1001, "text": "a", "reply_markup": markup})).json()
    mid = sent["result"]["message_id"]
    same = await http.post("editMessageReplyMarkup", json={"chat_id": 1001, "message_id": mid, "reply_markup": markup})
    assert same.json()["description"].startswith("Bad Request: message is not modified")
    edited = await http.post("editMessageText", json={"chat_id": 1001, "message_id": mid, "text": "b"})
    assert edited.json()["result"]["text"] == "b"
    assert "reply_markup" not in edited.json()["result"]  # omitted markup removes the keyboard
    assert user.last.edited and user.last.buttons == []
    assert (await http.post("deleteMessage", json={"chat_id": 1001, "message_id": mid})).json()["result"] is True
    gone = await http.post("deleteMessage", json={"chat_id": 1001, "message_id": mid})
    assert gone.json()["description"] == "Bad Request: message to delete not found"
    assert user.messages == []


async def test_methods_not_emulated(emulator: Emulator, http: httpx.AsyncClient) -> None:
    boolean = await http.post("setMyDescription", json={"description": "x"})
    assert boolean.json() == {"ok": True, "result": True}
    with emulator.expect_violations() as caught:
        other = await http.post("getStarTransactions", json={})
    assert other.status_code == 501
    assert caught[0]["problem"] == "not emulated"


async def test_commands_per_scope_and_language(http: httpx.AsyncClient) -> None:
    zh = [{"command": "submit", "description": "提交材料"}]
    en = [{"command": "submit", "description": "Submit"}]
    await http.post("setMyCommands", json={"commands": zh})
    await http.post("setMyCommands", json={"commands": en, "language_code": "en"})
    scope = {"type": "chat", "chat_id": 7}
    await http.post("setMyCommands", json={"commands": en[:0] + zh, "scope": scope})
    assert (await http.post("getMyCommands", json={})).json()["result"] == zh
    assert (await http.post("getMyCommands", json={"language_code": "en"})).json()["result"] == en
    await http.post("deleteMyCommands", json={"language_code": "en"})
    assert (await http.post("getMyCommands", json={"language_code": "en"})).json()["result"] == []
    assert (await http.post("getMyCommands", json={"scope": scope})).json()["result"] == zh


async def test_the_menu_a_user_sees_follows_telegrams_scope_order(emulator: Emulator, http: httpx.AsyncClient) -> None:
    def menu(*names: str) -> list[dict[str, str]]:
        return [{"command": n, "description": n} for n in names]

    zh_user = emulator.user(71, language_code="zh-hans")
    en_user = emulator.user(72, language_code="en")
    await http.post("setMyCommands", json={"commands": menu("start")})
    await http.post("setMyCommands", json={"commands": menu("start", "help"), "language_code": "en"})
    assert zh_user.menu() == ["start"] and en_user.menu() == ["start", "help"]
    await http.post("setMyCommands", json={"commands": menu("lang"), "scope": {"type": "all_private_chats"}})
    assert en_user.menu() == ["lang"]  # a language-less menu of a narrower scope wins over the default's English one
    await http.post("setMyCommands", json={"commands": menu("due"), "scope": {"type": "chat", "chat_id": "72"}})
    await http.post("setMyCommands", json={"commands": menu("due", "submit"), "scope": {"type": "chat", "chat_id": 72}, "language_code": "en"})
    assert en_user.menu() == ["due", "submit"] and zh_user.menu() == ["lang"]  # a chat's own menu, in its language
    await http.post("deleteMyCommands", json={"scope": {"type": "chat", "chat_id": 72}, "language_code": "en"})
    assert en_user.menu() == ["due"]
