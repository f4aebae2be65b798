"""Who takes part: invites, registration (附件10), the roster, who may do what, units imported
from a file, and the checks on what people type."""
