"""Reminding units that owe: the plan, quiet hours and what is still owed, claiming and sending,
recovery of sends whose fate is unknown, snoozes, the timer, the coordinators' digest, nudges."""
