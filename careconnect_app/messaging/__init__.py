"""Email and SMS: what is said (compose), the outbox and its worker, backends, receipts, reminders."""
