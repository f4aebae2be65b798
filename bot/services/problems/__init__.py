"""问题清单 and 销号: problems found in inspections, rectified by their unit, verified and closed by the level above.

- `common`: who may do what to a problem, whom to tell, the 🟡/🔴 marks, and sending notices.
- `register`: registering one by chat (a conversation kept as a draft); `importing`: from a workbook.
- `lifecycle`: one problem shown with its trail, and its steps: 签收, 整改 reported with evidence,
  验收, 退回 with a comment, 销号.
- `listing`: /problems, filtered by unit, status and overdue.
- `overdue`: the timer job: overdue problems reminded daily and escalated to the level above,
  problems not acknowledged chased.
- `export`: the 问题清单 workbook and the counts per unit; `bulletin`: the 情况通报.
"""
