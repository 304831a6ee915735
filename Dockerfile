# Lotse: one image for the bot (polling or webhook). Configuration comes from the environment
# (BOT_TOKEN, DATABASE_URL, BOT_ENCRYPTION_KEY, BOT_MODE, BOT_WEBHOOK_URL, BOT_WEBHOOK_SECRET, …)
# or from a mounted config.yaml (--config /config/config.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .

COPY content ./content
COPY locales ./locales
COPY config.example.yaml ./

RUN useradd --system --home /app lotse && mkdir -p /app/data && chown lotse /app/data
USER lotse
VOLUME ["/app/data"]
EXPOSE 8443

CMD ["lotse", "run"]
