"""Tests of the storage layer: engine, models, repositories, migrations."""
