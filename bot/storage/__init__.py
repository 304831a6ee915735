"""Storage: the database engine and sessions, models, repositories, migrations, and keys."""
