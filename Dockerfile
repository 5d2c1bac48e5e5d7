# syntax=docker/dockerfile:1
# Two stages: build the project's wheel (its SQL files and migrations inside), then install it,
# without the embedded PostgreSQL, into a slim image that runs as a non-root user against an
# external database. The wheel is bind-mounted into the install step, so no layer keeps it.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY app ./app
COPY sql ./sql
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
RUN useradd --system --uid 10001 --home-dir /srv app
WORKDIR /srv
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir /wheels/*.whl
USER app
# The running service holds only its restricted role: migrations are a step of their own
# (python -m app migrate apply, as the schema's owner), not part of serving.
ENV APP_HOST=0.0.0.0 APP_PORT=8000 APP_MIGRATE_ON_START=false APP_DATA_DIR=/tmp/pgapi \
    PYTHONUNBUFFERED=1
EXPOSE 8000
# Liveness, on the port the service listens on: a database outage is readiness's business
# (/health/ready), and must not mark every container unhealthy.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('APP_PORT', '8000') + '/health/live', timeout=2).status != 200)"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "app", "serve"]
