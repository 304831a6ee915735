"""Alembic migrations of the Lotse database (run them with `lotse db upgrade`)."""
