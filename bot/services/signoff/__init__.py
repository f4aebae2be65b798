"""Sign-off by the unit head (单位负责人审核, seed 001: "经单位负责人审核后").

A report type with `signoff = true` counts as filed only once approved: the liaison's confirmed
filing waits (待审核), the unit's head (a role given by an invite), or the coordinators when the
unit has none, get its preview with approve / return-with-comment buttons (`flow`).
"""
