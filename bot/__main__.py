"""Allows ``python -m bot`` as a synonym of the ``lotse`` command."""

from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
