"""Units in levels (自治区 → 市 → 县(区)): "上报一级、下抓一级".

Who sees which units is decided in `bot.services.people.access` (`Roles.visible_units`); this
wing answers what the level below has filed for the level above (`rollup`).
"""
