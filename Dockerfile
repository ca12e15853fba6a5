# roi-tracker image: the app under gunicorn (`roi-tracker serve`), as a non-root user.
# No key file, password or database URL is baked in: docker-compose.yml passes them at run time (the key file
# as a secret, the database password from the environment), and the app refuses to start without them.

# --- build: install the project and its pinned dependencies into a virtualenv -------------------------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Only what the wheel is built from (pyproject force-includes templates, static and migrations).
COPY constraints.txt pyproject.toml README.md ./
COPY src ./src
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
# A regular (not editable) install: the app then finds templates and migrations inside the package.
RUN pip install -c constraints.txt .

# --- runtime ----------------------------------------------------------------------------------------------
FROM python:3.11-slim

LABEL org.opencontainers.image.title="roi-tracker" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"

# A fixed uid so that a key file created by `roi-tracker init` in this image (mode 0600, owned by 10001) can
# be read back when it is mounted as a secret; see docker-compose.yml.
RUN groupadd --gid 10001 roi \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/roi-tracker \
       --shell /usr/sbin/nologin roi \
    && install -d -o roi -g roi -m 0700 \
       /var/lib/roi-tracker /var/lib/roi-tracker/instance /var/lib/roi-tracker/checkpoints

COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ROI_INSTANCE_PATH=/var/lib/roi-tracker/instance \
    ROI_CHECKPOINT_DIR=/var/lib/roi-tracker/checkpoints

USER 10001:10001
WORKDIR /var/lib/roi-tracker
EXPOSE 5000

CMD ["roi-tracker", "serve", "--host", "0.0.0.0", "--port", "5000"]
