"""From documents to data, by rules (no model, no network): a campaign config drafted from its notice
(通知/方案), and a typical case pasted whole read into the case form's fields (`pasted.read_case`).

`read_notice` turns a .txt or .docx notice into lines (tables as tab-separated rows, the file read
as hostile: bounded in size before and after decompression); `draft_config` reads the lines —
sentences, deadlines through the project's date-phrase engine, 附件 titles and tables, the 主送 line
and the 任务分工表 — and `render(draft, name)` writes a config that loads as it is, every line with a
comment quoting the sentence it came from and `# TODO` where the notice left a choice open.
"""

from bot.services.drafting.draft import draft_config
from bot.services.drafting.model import Draft
from bot.services.drafting.render import render
from bot.services.drafting.source import NoticeError, read_notice

__all__ = ["Draft", "NoticeError", "draft_config", "read_notice", "render"]
