"""Registration by invite link (placeholder until invites land): refuses every token."""
