"""Operations: leader lease for scheduled jobs, shared send budget, metrics, health, logs, backups, keys."""
