"""Checking a campaign file in the user's terms: what `liaison-bot check-config` says.

- `wording`: a validation error as key path, value and what is expected, with a suggestion for a
  near-miss key or value (`[[unit]]` → `units`), never pydantic's own words.
- `toml_syntax`: a TOML syntax error with its line, column, the line itself and a hint.
- `traps`: a valid file that does not mean what it seems to (a quarterly `day = 31`, a period due
  before the campaign starts): warnings.

`bot.config` uses the first two to build `ConfigError`; the CLI adds the third.
"""
