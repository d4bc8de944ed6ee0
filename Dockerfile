# syntax=docker/dockerfile:1
#
# Bruggen's production image. One image runs every role in docker-compose.yml:
# Gunicorn (pages and the API), Uvicorn (WebSockets), the Celery worker, Celery beat
# and the one-shot migration. See docs/operations.md.

# --- Stage 1: front-end assets ------------------------------------------------------
# The NL Design System (Utrecht) CSS and design tokens are served from node_modules by
# collectstatic. Dev dependencies (axe-core, for the accessibility tests) stay out.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- Stage 2: the application ---------------------------------------------------------
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# gettext provides msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system bruggen \
    && useradd --system --gid bruggen --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin bruggen

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The project itself
# is not a package ([tool.setuptools] packages = []): the source is simply copied to /app.
COPY pyproject.toml ./
RUN pip install --no-cache-dir uv==0.13.9 \
    && uv pip install --system --no-cache -r pyproject.toml

COPY . .

# Compile translations before node_modules arrives (compilemessages walks the tree).
# The build-only values below satisfy production settings; none of them is kept in the image.
RUN DJANGO_SECRET_KEY=build-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py compilemessages --ignore=node_modules --ignore=.venv

COPY --from=assets /build/node_modules /app/node_modules

# The design tokens' background-image-icon.css points at SVGs the package does not ship;
# the manifest storage would fail on it, and no page uses it, so it is left out.
RUN DJANGO_SECRET_KEY=build-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput --ignore=background-image-icon.css \
    && rm -f /tmp/build.sqlite3

# The code stays owned by root (read-only for the app); only var/ is writable. Named
# volumes mounted at /app/var/media or /app/var start with this ownership.
RUN mkdir -p /app/var/media \
    && chown -R bruggen:bruggen /app/var

USER bruggen

EXPOSE 8000

CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
