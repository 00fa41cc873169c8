# fedcat service image: the API under gunicorn, and the scheduler from the same image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md gunicorn.conf.py ./
COPY service ./service
COPY harvesters ./harvesters
COPY mappings ./mappings
COPY simulators ./simulators
# the client's major version must be the server's: docker-compose.yml runs Elasticsearch 8
RUN pip install --no-cache-dir '.[elasticsearch]' 'elasticsearch>=8.12,<9' \
    && useradd --system --uid 10001 --home /app fedcat \
    && mkdir -p /var/lib/fedcat && chown fedcat /var/lib/fedcat
# the link checks and the computed insights (a SQLite file), on a volume the API and the scheduler share
VOLUME /var/lib/fedcat
USER fedcat
EXPOSE 8000
# gunicorn reads ./gunicorn.conf.py (workers from the CPU count, timeouts, access log with the request id)
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "service.app:create_app()"]
