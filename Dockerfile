# syntax=docker/dockerfile:1
# Lotse: one image for the bot (polling or webhook, one or several processes).
# Configuration comes from the environment (BOT_TOKEN, DATABASE_URL, BOT_ENCRYPTION_KEY, BOT_MODE,
# BOT_WEBHOOK_URL, BOT_WEBHOOK_SECRET, BOT_REDIS_URL, …) or a mounted config.yaml
# (`lotse --config /app/config.yaml run`); content/ may be mounted over the built-in copy.
# Dependencies are installed from uv.lock (exact versions, hashes checked), as `make run` does;
# tests/unit/test_deployment.py repeats these steps in a fresh virtual environment.

# --- build: resolve and install into /app/.venv, check catalogs and content ---------------------
FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
WORKDIR /app

RUN pip install "uv==0.13.9"
COPY pyproject.toml uv.lock README.md ./
# Dependencies first: this layer is reused as long as uv.lock does not change.
RUN uv sync --locked --no-install-project --no-dev
COPY bot ./bot
RUN uv sync --locked --no-editable --no-dev
COPY content ./content
COPY locales ./locales
# Fail the build, not the first start, on a broken catalog or content: the interface catalogs
# are compiled (the bot compiles them in memory at start) and the content is checked.
RUN /app/.venv/bin/python -c "from pathlib import Path; from bot.i18n.catalogs import Catalogs; Catalogs.load(Path('locales'))" \
    && /app/.venv/bin/lotse content check content

# --- runtime: only the virtual environment, the data files and a user without rights ----------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/app/.venv/bin:$PATH \
    BOT_WEBHOOK_LISTEN=0.0.0.0 BOT_WEBHOOK_PORT=8443
WORKDIR /app

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin lotse \
    && mkdir -p /app/data && chown lotse /app/data
COPY --from=build /app/.venv /app/.venv
COPY --from=build /app/content /app/content
COPY --from=build /app/locales /app/locales
COPY config.example.yaml ./

USER 10001
VOLUME ["/app/data"]
EXPOSE 8443
# /healthz answers as long as the process serves; /readyz also checks database, content, Telegram.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('BOT_WEBHOOK_PORT', '8443'), timeout=4)"]

CMD ["lotse", "run"]
