"""Push to the national platform: the report outbox, the pusher, report builders and reconciliation."""
