# One copy of the bot in the image: the dependencies go into /venv, pinned by
# requirements.lock (the versions CI tests, with their hashes), and the bot runs from
# its source in /app. The bot finds its catalogues in locales/ beside the package
# (bot.config.LOCALES_DIR), which a source tree gives for free; pip-installing the
# package as well would put a second copy in site-packages, without the catalogues.

# Build stage: the pinned dependencies and the compiled catalogues.
FROM python:3.11-slim AS build
WORKDIR /app
RUN python -m venv /venv
COPY requirements.lock ./
RUN /venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY locales ./locales
RUN /venv/bin/pybabel -q compile -d locales -D messages

# Runtime stage: the environment, the source and the catalogues, as an unprivileged user.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 bot \
 && mkdir -p /data && chown bot:bot /data
COPY --from=build /venv /venv
COPY bot /app/bot
COPY --from=build /app/locales /app/locales
WORKDIR /app
USER bot
ENV PATH=/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/bot.sqlite3
VOLUME ["/data"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
