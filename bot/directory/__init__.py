"""Counselling services: search near a point, filters, opening hours, service cards."""
