#!/usr/bin/env bash
# The mongo service's entrypoint (docker-compose.yml). mongod refuses a replica-set key file
# that others may read, and a compose file secret keeps the owner and mode it has on the
# host, so this copies the secret to the path of mongod's --keyFile argument, owned by the
# mongodb user (uid 999) with mode 0400, then runs the image's own entrypoint
# (docker-entrypoint.sh: root user from MONGO_INITDB_ROOT_*, then mongod as mongodb) with
# the same arguments.
#
# Env: PACT_MONGO_KEYFILE_SOURCE (the mounted secret, default /run/secrets/mongo_keyfile).
set -euo pipefail

die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

source=${PACT_MONGO_KEYFILE_SOURCE:-/run/secrets/mongo_keyfile}
keyfile=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --keyFile) keyfile=${args[i + 1]:-} ;;
    --keyFile=*) keyfile=${args[i]#--keyFile=} ;;
  esac
done
[[ $keyfile == /* ]] || die "want mongod's --keyFile argument, an absolute path"
[[ $keyfile != "$source" ]] || die "--keyFile must name the copy, not the secret $source"
[[ -r $source ]] || die "cannot read $source (make it with deploy/make-secrets.sh)"

mkdir -p "$(dirname "$keyfile")"
if [[ $(id -u) == 0 ]]; then
  install -o 999 -g 999 -m 0400 "$source" "$keyfile" # mongod runs as mongodb (999)
else
  install -m 0400 "$source" "$keyfile" # started as another user: mongod runs as that one
fi

exec docker-entrypoint.sh "$@"
