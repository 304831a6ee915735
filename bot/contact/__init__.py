"""Confidential contact requests: consent, routing to teams, relay, outbox, follow-up."""
