#!/bin/sh
# The image's entrypoint.
#
#   IMAGE [FLAGS]                  baton review [FLAGS]
#   IMAGE --version | review ... | merge ... | schema ...   baton itself
#   IMAGE [FLAGS] with INPUT_MODE=merge   baton merge ${INPUT_REPORTS:-.baton} [FLAGS]
#   IMAGE sh|bash ...              a shell, as GitLab's runner starts a job in the image
#
# GitHub starts a Docker action as root (the image may not set USER: the workspace and the
# runner's file commands belong to the runner's user). Started as root in a working directory
# that belongs to another user, baton runs as that user, so everything it writes there
# (.baton/) belongs to the workspace's owner and a self-hosted runner can clean it up. In a
# directory owned by root, or without the right to change user, it stays as it was started.
set -eu

case "${1-}" in
    sh | bash | /bin/sh | /bin/bash) exec "$@" ;;
    --version | review | merge | schema) ;;
    *)
        # The action's `mode` input: review (a shard or the whole change) or merge shards.
        case "${INPUT_MODE:-review}" in
            review) set -- review "$@" ;;
            merge)
                # shellcheck disable=SC2086 # the reports input is a space-separated list
                set -- merge ${INPUT_REPORTS:-.baton} "$@"
                ;;
            *)
                echo "baton: error: mode must be review or merge (got '${INPUT_MODE}')" >&2
                exit 2
                ;;
        esac
        ;;
esac

uid=$(id -u)
owner=$(stat -c %u .)
group=$(stat -c %g .)
if [ "$uid" != 0 ] || [ "$owner" = 0 ] \
    || ! setpriv --reuid="$owner" --regid="$group" --clear-groups true 2>/dev/null; then
    exec /opt/baton/bin/baton "$@"
fi

# A user the system knows (some programs ask for their user's name and home), and a home the
# user may write to.
if ! getent passwd "$owner" >/dev/null; then  # not on a read-only root file system
    echo "baton:x:$owner:$group:baton:/tmp/baton-home:/bin/sh" 2>/dev/null >>/etc/passwd || true
fi
if [ -z "${HOME-}" ] || ! setpriv --reuid="$owner" --regid="$group" --clear-groups \
    test -w "$HOME" 2>/dev/null; then
    HOME=/tmp/baton-home
    mkdir -p "$HOME"
    chown "$owner:$group" "$HOME"
    export HOME
fi
exec setpriv --reuid="$owner" --regid="$group" --clear-groups /opt/baton/bin/baton "$@"
