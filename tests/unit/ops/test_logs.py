"""JSON log lines: the record's own fields only."""

from __future__ import annotations

import json
import logging

from bot.ops.logs import JsonFormatter


def test_one_json_object_per_line_without_extra_fields():
    record = logging.LogRecord(
        "bot.x", logging.WARNING, "f.py", 1, "outbox entry %s failed", (7,), None
    )
    record.person_text = "Mein Mann bedroht mich"  # an `extra` value is never written
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "outbox entry 7 failed"
    assert entry["level"] == "WARNING" and entry["logger"] == "bot.x"
    assert "bedroht" not in line and "\n" not in line
