"""Delivery backends: the contract in base.py, one module per provider."""
