# Production image: gunicorn for the web, the same image for Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=transit_monitor.settings
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 gettext fonts-farsiweb libgl1 libglib2.0-0 \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python manage.py compilemessages -v0 --ignore=.venv && \
    SECRET_KEY=build WHITENOISE_USE_FINDERS=0 python manage.py collectstatic --noinput -v0
RUN useradd --system --uid 1000 app && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "transit_monitor.wsgi", "--config", "gunicorn.conf.py"]
