"""The migration scripts, one per revision, applied in order."""
