"""What is owed and when: report types (configured and ad hoc) and the due items per unit."""
