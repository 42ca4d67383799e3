# baton's container image: the GitHub Docker action (`uses: OWNER/baton@v1`) and the GitLab
# CI job run this same image.
#
#   docker build -t baton .                   # dependencies from the package index
#   pip wheel --wheel-dir wheels '.[claude]' hatchling
#   docker build -t baton .                   # with wheels/: offline, from those wheels only
#
# With a wheels/ folder in the build context pip installs only from it (--no-index), so the
# build needs no index at all. docker/constraints.txt, when present, pins every dependency
# (`pip freeze` of a tested image). `--build-arg BASE_IMAGE=...` swaps the base for any
# Debian-based image with python3 >= 3.11 and its venv module.
#
# GitHub runs Docker actions as the image's default user, mounts the workspace at
# /github/workspace and passes --workdir itself, so this image sets neither USER nor WORKDIR.
ARG BASE_IMAGE=python:3.11.14-slim-bookworm

# Dependencies (baton[claude] less baton): rebuilt only when pyproject.toml, the pins or
# wheels/ change.
FROM ${BASE_IMAGE} AS deps
COPY pyproject.toml docke[r]/constraints.txt wheel[s] /tmp/baton/
RUN python3 -c 'import tomllib; p = tomllib.load(open("/tmp/baton/pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["claude"]))' > /tmp/requirements.txt \
    && python3 -m venv /opt/baton \
    && if ls /tmp/baton/*.whl >/dev/null 2>&1; then set -- --no-index --find-links /tmp/baton; fi \
    && if [ -f /tmp/baton/constraints.txt ]; then set -- "$@" --constraint /tmp/baton/constraints.txt; fi \
    && /opt/baton/bin/pip install --no-cache-dir --disable-pip-version-check "$@" \
        --requirement /tmp/requirements.txt

# baton itself, as a wheel built from this source tree.
FROM deps AS wheel
COPY pyproject.toml README.md /tmp/baton/
COPY src /tmp/baton/src
RUN if ls /tmp/baton/*.whl >/dev/null 2>&1; then set -- --no-index --find-links /tmp/baton; fi \
    && /opt/baton/bin/pip wheel --no-cache-dir --disable-pip-version-check "$@" --no-deps \
        --wheel-dir /tmp/dist /tmp/baton

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="baton" \
      org.opencontainers.image.description="A review gate for pull and merge requests" \
      org.opencontainers.image.licenses="MIT"
# git at Debian bookworm's 2.39 line, with its security updates. The checkout belongs to
# another uid than the container's root (the runner's), so every directory is trusted.
RUN apt-get update \
    && apt-get install -y --no-install-recommends 'git=1:2.39.*' \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*'
COPY --from=deps /opt/baton /opt/baton
COPY --from=wheel /tmp/dist /tmp/dist
RUN /opt/baton/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps \
        /tmp/dist/*.whl \
    && rm -rf /tmp/dist \
    && /opt/baton/bin/baton --version
ENV PATH="/opt/baton/bin:${PATH}"
# `IMAGE [FLAGS]` runs `baton review [FLAGS]`; `IMAGE --version` and `IMAGE review|schema ...`
# reach baton itself; `IMAGE sh|bash ...` starts a shell, as GitLab's runner does for a job.
ENTRYPOINT ["/bin/sh", "-c", "case \"${1-}\" in --version|review|schema) exec baton \"$@\";; sh|bash|/bin/sh|/bin/bash) exec \"$@\";; esac; exec baton review \"$@\"", "baton"]
