# Production image: gunicorn for the web, the same image for the Celery workers, beat and the init steps
# (docker-compose.yml). Every install step is in deploy/build-image.sh, which CI can run without Docker.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=transit_monitor.settings \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH STATIC_ROOT=/srv/static
WORKDIR /app
# Packages first (a layer of their own): a change of the code does not reinstall them.
COPY requirements.txt ./
COPY deploy/build-image.sh deploy/
RUN sh deploy/build-image.sh --os-packages --stage deps /opt/venv
COPY . .
RUN sh deploy/build-image.sh --stage app /opt/venv
# var/ holds beat's schedule and the per-process caches; /srv/static is the volume nginx serves.
RUN useradd --system --uid 1000 app && mkdir -p /app/var /srv/static && chown -R app /app/var /srv/static
USER app
EXPOSE 8000
CMD ["gunicorn", "transit_monitor.wsgi", "--config", "gunicorn.conf.py"]
