# Lotse: one image for the bot (polling or webhook). Configuration comes from the environment
# (BOT_TOKEN, DATABASE_URL, BOT_ENCRYPTION_KEY, BOT_MODE, BOT_WEBHOOK_URL, BOT_WEBHOOK_SECRET, …)
# or from a mounted config.yaml (--config /config/config.yaml).
# Dependencies are installed from uv.lock (exact versions, hashes checked), as `make run` does.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv UV_COMPILE_BYTECODE=1 PATH=/app/.venv/bin:$PATH
WORKDIR /app

RUN pip install "uv==0.13.9"
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-install-project --no-dev
COPY bot ./bot
RUN uv sync --locked --no-editable --no-dev

COPY content ./content
COPY locales ./locales
COPY config.example.yaml ./

RUN useradd --system --home /app lotse && mkdir -p /app/data && chown lotse /app/data
USER lotse
VOLUME ["/app/data"]
EXPOSE 8443

CMD ["lotse", "run"]
