"""Delivery receipts per provider (webhooks), moving a message's status forward only."""
