# syntax=docker/dockerfile:1
#
# Production image for Cooperation: one image for every role. The default
# command runs gunicorn; docker-compose.yml runs the same image as the
# migrate job, the Celery worker and Celery beat.
#
#   docker build -t cooperation .
#
# The tag pins the Debian release (bookworm) that the apt package names below
# were checked against.
FROM python:3.11-slim-bookworm

# PYTHONPATH=/app: settings.BASE_DIR comes from cooperation/settings.py's own
# path, and the templates/, static/ and locale/ folders sit next to it in
# /app. `pip install .` also puts a copy of the Python packages in
# site-packages, without those folders (and celery only adds the working
# directory to sys.path while it loads the app). PYTHONPATH makes every
# process (gunicorn, celery, manage.py) import the code from /app.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cooperation.settings \
    PYTHONPATH=/app

# Shared libraries for WeasyPrint 70 (Pango, HarfBuzz, fontconfig through
# pangoft2) and a font with Polish glyphs. psycopg[binary] and Pillow ship
# their own wheels, so no compiler and no libpq are needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Non-root user with a fixed numeric id (works with runAsNonRoot, and you can
# chown host folders to it).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer, so a code change does not reinstall
# them. The list is read from pyproject.toml, so it stays the one source.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code, including the top-level templates/, static/ and locale/ folders
# (.dockerignore keeps out .venv, .git, local databases and the like).
COPY . .

# Install the project itself. Its dependencies are already in place, so pip
# only checks them. Then compile translations and collect static files for
# WhiteNoise. settings.py needs SECRET_KEY when DEBUG=0. DEBUG=0 is required
# here because it selects the compressed, hashed manifest storage. These two
# variables apply only to this RUN step and are not kept in the image.
# collectstatic does not touch the database.
RUN pip install . \
    && rm -rf build *.egg-info \
    && DEBUG=0 SECRET_KEY=build-only-not-a-secret python manage.py compile_translations \
    && DEBUG=0 SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --no-input \
    && mkdir -p /app/media \
    && chown app:app /app/media

# The code stays owned by root and read-only for the app user. Only
# MEDIA_ROOT (/app/media, a volume in compose) is writable. Celery beat keeps
# its schedule file in /tmp (see docker-compose.yml).
USER 10001:10001

EXPOSE 8000

# GUNICORN_WORKERS sets the number of workers (default 3). Put other gunicorn
# flags in GUNICORN_CMD_ARGS, e.g. "--timeout 60"; gunicorn reads it itself.
# The heartbeat files go in /dev/shm (tmpfs) so a slow overlay /tmp cannot
# make workers look hung. No gunicorn access log: the app writes one JSON line
# per request without the query string (cooperation/requestlog.py). With
# PROMETHEUS_MULTIPROC_DIR set (compose's web), the metrics folder starts empty.
CMD ["sh", "-c", "if [ -n \"$PROMETHEUS_MULTIPROC_DIR\" ]; then rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\"; fi; exec gunicorn cooperation.wsgi:application --preload --bind 0.0.0.0:8000 --workers \"${GUNICORN_WORKERS:-3}\" --timeout 60 --graceful-timeout 25 --worker-tmp-dir /dev/shm --error-logfile -"]
