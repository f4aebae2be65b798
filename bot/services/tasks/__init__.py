"""工作任务 (任务分工): tasks with a 牵头单位 (lead) and 配合单位 (supporting units).

- `setup`: the config's `[[tasks]]` brought into storage at start; `importing`: the 附件5 layout
  (工作任务 / 细化序号 / 目标任务 / 具体内容 / 责任单位 [/ 配合单位 / 完成时限]) from a workbook.
- `progress`: /tasks and one task shown with its units and reports; 签收; a progress report (text
  and files) by a lead unit, a supporting unit's part added to it; the chase of a task not acknowledged
  within `[problems] acknowledge_within` (a JobQueue job of this wing).
"""
