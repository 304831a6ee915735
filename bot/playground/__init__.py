"""Ways to try the bot without Telegram: a chat in the terminal (and later in the browser)."""
