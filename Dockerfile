# liaison-bot: the bot in a slim image, run as an unprivileged user.
#
#   docker build -t liaison-bot .
#   docker compose up            # with PostgreSQL, see compose.yaml and docs/operations.md
#
# The dependency tree is installed from requirements.lock (pip-compile), the project itself
# without dependencies: the image holds exactly the locked versions.
# The Chinese font for /chart comes with the locked package pylopdf-fonts-zh-cn (Noto Sans SC);
# the build fails if no font can draw Chinese. Word and Excel files need no font to be written.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/liaison-bot
COPY requirements.lock ./
RUN /opt/liaison-bot/bin/pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY schedules ./schedules
COPY migrations ./migrations
RUN /opt/liaison-bot/bin/pip install --no-deps . \
 && /opt/liaison-bot/bin/pip check \
 && /opt/liaison-bot/bin/python -c "from bot.services.chart import cjk_font; print('CJK font:', cjk_font())"

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="liaison-bot" \
      org.opencontainers.image.description="Telegram bot for liaison officers of a reporting campaign"
# tini reaps and forwards SIGTERM so `docker stop` ends the bot cleanly (PTB stops on SIGTERM).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 liaison \
 && useradd --system --uid 10001 --gid liaison --home-dir /var/lib/liaison-bot --shell /usr/sbin/nologin liaison \
 && mkdir -p /var/lib/liaison-bot/files /etc/liaison-bot \
 && chown -R liaison:liaison /var/lib/liaison-bot
COPY --from=build /opt/liaison-bot /opt/liaison-bot
COPY config.toml /etc/liaison-bot/config.toml
ENV PATH=/opt/liaison-bot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    LIAISON_BOT_CONFIG=/etc/liaison-bot/config.toml \
    LIAISON_BOT_DATABASE_URL=sqlite:////var/lib/liaison-bot/liaison-bot.sqlite3 \
    LIAISON_BOT_FILES_DIR=/var/lib/liaison-bot/files
USER liaison
WORKDIR /var/lib/liaison-bot
VOLUME ["/var/lib/liaison-bot"]
# 8443: the webhook (behind a TLS proxy); 9108: /healthz and /metrics in polling mode.
EXPOSE 8443 9108
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["liaison-bot", "health", "--quiet"]
ENTRYPOINT ["tini", "--", "liaison-bot"]
CMD ["run", "--json-logs"]
