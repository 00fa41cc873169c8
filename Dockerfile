# fedcat service image: the API under gunicorn, and the scheduler from the same image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY harvesters ./harvesters
COPY mappings ./mappings
COPY simulators ./simulators
RUN pip install --no-cache-dir '.[elasticsearch]' && useradd --system --home /app fedcat
USER fedcat
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "service.app:create_app()"]
