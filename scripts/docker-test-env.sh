#!/usr/bin/env bash
# Prepares what the container tests (tests/container) need on a Debian machine, as root:
# a running Docker engine, a local stand-in for debian:bookworm-slim (no registry is needed)
# and a folder of wheels for an offline `docker build`; and a local registry server for the
# cold-start benchmark.
#
#   scripts/docker-test-env.sh [up]   # idempotent; fast when everything already exists
#   scripts/docker-test-env.sh down   # stop the Docker engine this script started
#
# On success `up` prints two lines for the tests, BASE_IMAGE=<image> and WHEELS=<folder>.
# Settings (environment): BATON_DOCKER_CACHE (default /var/cache/baton-docker) holds the
# wheels, the logs and the lock; BATON_BASE_IMAGE (default baton-base:bookworm-slim).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${BATON_DOCKER_CACHE:-/var/cache/baton-docker}"
BASE_IMAGE="${BATON_BASE_IMAGE:-baton-base:bookworm-slim}"
SUITE=bookworm
WHEELS="$CACHE/wheels"
PIDFILE="$CACHE/dockerd.pid"

say() { printf 'docker-test-env: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

apt_install() {
    say "installing $* (apt)"
    if [ -z "${APT_UPDATED:-}" ]; then
        apt-get update -qq >&2
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

need_tools() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v docker-registry >/dev/null || missing+=(docker-registry)  # bench/cold_start.py
    command -v ip >/dev/null || missing+=(iproute2)
    if [ "${#missing[@]}" -gt 0 ]; then
        [ "$(id -u)" = 0 ] || die "run as root to install ${missing[*]}"
        apt_install "${missing[@]}"
    fi
}

start_engine() {
    if docker info >/dev/null 2>&1; then
        return
    fi
    [ "$(id -u)" = 0 ] || die "no Docker engine is running, and starting one needs root"
    say "starting dockerd (log: $CACHE/dockerd.log)"
    # Detached from this script: its own session, no inherited pipes or lock.
    setsid dockerd </dev/null >>"$CACHE/dockerd.log" 2>&1 9>&- &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 120); do
        docker info >/dev/null 2>&1 && return
        kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break
        sleep 0.5
    done
    tail -n 5 "$CACHE/dockerd.log" >&2 || true
    die "dockerd did not come up"
}

# The Debian mirrors apt is configured with: "<main mirror> <security mirror>".
debian_mirrors() {
    # shellcheck disable=SC2016 # $(...) here is apt's format syntax, not the shell's
    apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' | awk '
        $1 ~ /debian-security\/?$/ && !sec { sec = $1 }
        $1 ~ /debian\/?$/ && $2 !~ /-/ && !main { main = $1 }
        END { print main, sec }'
}

build_base_image() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        return
    fi
    local mirror security rootfs started
    read -r mirror security < <(debian_mirrors)
    [ -n "$mirror" ] || die "no Debian mirror in apt's sources"
    started=$SECONDS
    rootfs="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
    say "building $BASE_IMAGE: debootstrap $SUITE from $mirror"
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
        || { tail -n 20 "$CACHE/debootstrap.log" >&2; rm -rf "$rootfs"; die "debootstrap failed"; }
    {
        echo "deb $mirror $SUITE main"
        echo "deb $mirror $SUITE-updates main"
        if [ -n "$security" ]; then echo "deb $security $SUITE-security main"; fi
    } >"$rootfs/etc/apt/sources.list"
    # As debian:bookworm-slim is made: packages installed later leave out docs, manuals and
    # translations, and the ones already there are removed.
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
SLIM
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$rootfs"/usr/share/{groff,info,linda,locale,man}/* "$rootfs"/usr/share/lintian/overrides/*
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        - "$BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
    say "built $BASE_IMAGE in $((SECONDS - started)) s"
}

build_wheels() {
    local stamp fresh started pip=(python3 -m pip) pins=()
    # The image's pins, when the project has them, select the wheels too.
    if [ -f "$ROOT/docker/constraints.txt" ]; then pins=(--constraint "$ROOT/docker/constraints.txt"); fi
    stamp="$(cat "$ROOT/pyproject.toml" "${pins[@]:1}" "$ROOT/scripts/docker-test-env.sh" | sha256sum | cut -d' ' -f1)"
    if [ -f "$WHEELS/.stamp" ] && [ "$(cat "$WHEELS/.stamp")" = "$stamp" ]; then
        return
    fi
    if [ -x "$ROOT/.venv/bin/pip" ]; then pip=("$ROOT/.venv/bin/pip"); fi
    started=$SECONDS
    fresh="$(mktemp -d "$CACHE/wheels.XXXXXX")"
    say "building wheels for '.[claude]' and the build backend into $WHEELS"
    "${pip[@]}" wheel --quiet --disable-pip-version-check --wheel-dir "$fresh" "${pins[@]}" \
        "${ROOT}[claude]" hatchling hatch-vcs >"$CACHE/wheels.log" 2>&1 \
        || { tail -n 20 "$CACHE/wheels.log" >&2; rm -rf "$fresh"; die "pip wheel failed"; }
    rm -f "$fresh"/baton_review-*.whl  # the image builds baton from the source tree
    # zizmor's musllinux wheel of the same version: the image's arm64 path, tried on amd64.
    local zizmor
    zizmor="$(basename "$fresh"/zizmor-*.whl | cut -d- -f2)"
    "${pip[@]}" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
        --platform musllinux_1_2_x86_64 --dest "$fresh" "zizmor==$zizmor" >>"$CACHE/wheels.log" 2>&1 \
        || { tail -n 20 "$CACHE/wheels.log" >&2; rm -rf "$fresh"; die "pip download zizmor failed"; }
    echo "$stamp" >"$fresh/.stamp"
    rm -rf "$WHEELS"
    mv "$fresh" "$WHEELS"
    say "built wheels in $((SECONDS - started)) s"
}

up() {
    mkdir -p "$CACHE"
    exec 9>"$CACHE/.lock"
    flock 9  # one preparation at a time (parallel test workers call this too)
    need_tools
    start_engine
    build_base_image
    build_wheels
    echo "BASE_IMAGE=$BASE_IMAGE"
    echo "WHEELS=$WHEELS"
}

down() {
    if [ ! -f "$PIDFILE" ]; then
        say "no dockerd started by this script"
        return
    fi
    local pid
    pid="$(cat "$PIDFILE")"
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && kill "$pid"; then
        say "stopping dockerd ($pid)"
        for _ in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
    fi
    rm -f "$PIDFILE"
}

case "${1:-up}" in
    up) up ;;
    down) down ;;
    *) die "usage: $0 [up|down]" ;;
esac
