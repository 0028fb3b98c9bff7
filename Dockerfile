# The explorer's browser libraries, from the npm registry as app/explorer/package-lock.json pins
# them: the same script `make` runs.
# Node 22 (LTS to April 2027; 20 reached its end of life in April 2026), pinned like the Python stage.
FROM node:22.12.0-bookworm-slim AS explorer-assets
WORKDIR /build/app/explorer
COPY app/explorer/package.json app/explorer/package-lock.json app/explorer/copy-vendor.mjs app/explorer/install.sh ./
RUN sh install.sh

# The service on the curated graph (or any dataset folder mounted and named by KG_DATA).
# The base image is pinned to a patch release: bump it deliberately, with the lock file.
FROM python:3.12.8-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KG_DATA=/srv/kg/graph_data

WORKDIR /srv/kg
# The pinned, hashed dependencies first (a layer that changes only with the lock), then the project.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY app ./app
COPY --from=explorer-assets /build/app/explorer/static/vendor ./app/explorer/static/vendor
COPY graph_data ./graph_data
RUN pip install --no-deps --no-build-isolation . \
 && useradd --create-home --uid 10001 kg
USER kg

EXPOSE 8000
# Ready once the graph is loaded (/ready is 503 before); /health only says the process answers.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=2).status != 200)"]

# The same command, hence the same server settings (limits, no server banner, JSON logs), as
# `make serve`, listening on all interfaces inside the container.
CMD ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000"]
