# Build stage: install the bot and compile the catalogues into a virtual environment.
FROM python:3.11-slim AS build
WORKDIR /app
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY locales ./locales
RUN /venv/bin/pip install --no-cache-dir . \
 && /venv/bin/pybabel compile -d locales -D messages

# Runtime stage: the environment and the catalogues, run as an unprivileged user.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 bot \
 && mkdir -p /data && chown bot:bot /data
COPY --from=build /venv /venv
# Run from the source folder so the bot finds locales/ beside its package.
COPY --from=build /app/bot /app/bot
COPY --from=build /app/locales /app/locales
WORKDIR /app
USER bot
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/bot.sqlite3
VOLUME ["/data"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
