# baton's container images. The GitHub action and the GitLab component pull the published
# ones; this file builds them from a checkout:
#
#   docker build --build-arg BATON_VERSION=1.2.0 -t baton .                   # full (default)
#   docker build --build-arg BATON_VERSION=1.2.0 --target builtin -t baton .  # no Claude CLI
#
# full     baton with the Claude Code CLI that claude-agent-sdk bundles (the Claude agents)
# builtin  the built-in agents only: for offline and restricted runners
#
# Both share every layer below the Claude CLI, so a machine holding one pulls little of the
# other. Debian's own Python and git (security updates through apt), one virtual
# environment without pip in /opt/baton.
#
# With a wheels/ folder in the build context pip installs only from it (--no-index), so the
# build needs no package index. docker/constraints.txt, when present, pins every dependency.
# BATON_VERSION names the build (`baton --version`); a build context holds no git history.
# `--build-arg BASE_IMAGE=...` swaps the base for any Debian bookworm image.
ARG BASE_IMAGE=debian:bookworm-slim

# What both images run on: Debian bookworm's python3 (3.11) and git (2.39) with their
# security updates, Debian's CA list, and no package lists or docs left behind. The checkout
# belongs to another uid than the container's root (the runner's), so every directory is
# trusted.
FROM ${BASE_IMAGE} AS runtime
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        'python3=3.11.*' 'git=1:2.39.*' 'ca-certificates=20*' \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/* \
    && git config --system --add safe.directory '*'
ENV LANG=C.UTF-8

# pip lives in its own environment; /opt/baton gets none.
FROM runtime AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends 'python3-venv=3.11.*' \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/pip \
    && python3 -m venv --without-pip /opt/baton
COPY pyproject.toml docke[r]/constraints.txt wheel[s] /tmp/baton/
# One pip configuration for every install below (and for the wheel build's isolated
# environment): the local wheels only, when there are any, and the pins, when there are some.
ENV PIP_CONFIG_FILE=/opt/pip/pip.conf PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN { echo '[global]'; \
      if ls /tmp/baton/*.whl >/dev/null 2>&1; then printf 'no-index = true\nfind-links = /tmp/baton\n'; fi; \
      if [ -f /tmp/baton/constraints.txt ]; then echo 'constraint = /tmp/baton/constraints.txt'; fi; \
    } > /opt/pip/pip.conf \
    && python3 -c 'import tomllib; p = tomllib.load(open("/tmp/baton/pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"])); open("/tmp/claude.txt", "w").write("\n".join(p["optional-dependencies"]["claude"]))' > /tmp/requirements.txt
# zizmor publishes no manylinux wheel for arm64, only a musllinux one. Its program is
# statically linked and runs on Debian, so on arm64 that wheel goes into the environment
# first and the requirement below finds it installed. ZIZMOR_WHEEL_PLATFORM takes this path
# with another platform's wheel (the tests use musllinux_1_2_x86_64).
ARG TARGETARCH
ARG ZIZMOR_WHEEL_PLATFORM=""
RUN platform="${ZIZMOR_WHEEL_PLATFORM}" \
    && if [ -z "$platform" ] && [ "$TARGETARCH" = arm64 ]; then platform=musllinux_1_2_aarch64; fi \
    && if [ -n "$platform" ]; then \
        /opt/pip/bin/pip install --no-deps --only-binary=:all: --platform "$platform" \
            --target /tmp/zizmor "$(grep '^zizmor' /tmp/requirements.txt)" \
        && mv /tmp/zizmor/bin/zizmor /opt/baton/bin/zizmor \
        && mv /tmp/zizmor/zizmor-*.dist-info /opt/baton/lib/python3.11/site-packages/ \
        && rm -rf /tmp/zizmor; \
    fi \
    && /opt/pip/bin/pip --python /opt/baton/bin/python install --requirement /tmp/requirements.txt

# The Claude extra alone, staged beside the dependencies it shares with the builtin image.
FROM build AS claude
RUN /opt/pip/bin/pip --python /opt/baton/bin/python install --root /stage \
        --requirement /tmp/claude.txt

# baton itself: a wheel of this source tree, staged as its own small layer.
FROM build AS package
ARG BATON_VERSION=0+unknown
COPY pyproject.toml README.md /tmp/baton/
COPY src /tmp/baton/src
RUN SETUPTOOLS_SCM_PRETEND_VERSION="${BATON_VERSION}" /opt/pip/bin/pip wheel --no-deps \
        --wheel-dir /tmp/dist /tmp/baton \
    && /opt/pip/bin/pip --python /opt/baton/bin/python install --no-deps --root /stage \
        /tmp/dist/*.whl

# What both images add on top of the runtime: the entrypoint and the labels.
FROM runtime AS image
ARG BATON_VERSION=0+unknown
ARG BATON_REVISION=""
LABEL org.opencontainers.image.title="baton" \
      org.opencontainers.image.description="A review gate for pull and merge requests" \
      org.opencontainers.image.source="https://github.com/baton-review/baton" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${BATON_VERSION}" \
      org.opencontainers.image.revision="${BATON_REVISION}"
COPY docker/entrypoint.sh /usr/local/bin/baton-entrypoint
ENV PATH="/opt/baton/bin:${PATH}"
# GitHub starts a Docker action as root with the workspace at /github/workspace as the working
# directory; the entrypoint runs baton as the owner of that directory (see docker/entrypoint.sh).
ENTRYPOINT ["/usr/local/bin/baton-entrypoint"]

FROM image AS builtin
COPY --from=build /opt/baton /opt/baton
COPY --from=package /stage/opt/baton/ /opt/baton/
RUN baton --version

# The builtin image's layers, then the Claude CLI's.
FROM image AS full
COPY --from=build /opt/baton /opt/baton
COPY --from=package /stage/opt/baton/ /opt/baton/
COPY --from=claude /stage/opt/baton/ /opt/baton/
RUN baton --version
