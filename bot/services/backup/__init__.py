"""The backup archive of a campaign's database and files, and its format."""
