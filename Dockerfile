# A conventional two-stage image: build wheels in one stage, run as a non-root user in the other.
# It serves against an external PostgreSQL: set DATABASE_URL and APP_JWT_SECRET at run time.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
RUN useradd --system --uid 10001 --home-dir /srv app
WORKDIR /srv
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY sql ./sql
COPY migrations ./migrations
COPY app ./app
USER app
ENV APP_HOST=0.0.0.0 APP_PORT=8000 PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/ready').status != 200)"
CMD ["python", "-m", "app", "serve"]
