"""JSON log lines for log collectors (``BOT_LOG_FORMAT=json``); what is logged stays the same.

Only the record's own fields are written — time, level, logger, message, and the exception's
class — never ``extra`` values or a traceback's local variables. The rule that nothing a person
wrote reaches the log is kept where the messages are made (see :func:`bot.cli.configure_logging`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os

__all__ = ["JsonFormatter"]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, ``pid``, ``error``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": os.getpid(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
