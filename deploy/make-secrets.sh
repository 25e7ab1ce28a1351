#!/usr/bin/env bash
# Makes every secret file docker-compose.yml mounts (its top-level `secrets:`), plus the
# registry's admin API key, in one folder: deploy/secrets/ by default. Idempotent: a file
# that exists is kept, never overwritten; delete one to make it anew (and see
# deploy/README.md, "Rotating", for what else must then change). Needs OpenSSL 1.1.1+.
#
#   deploy/make-secrets.sh [DIR]        (or PACT_SECRETS_DIR=DIR deploy/make-secrets.sh)
#
# The folder is made private to its owner (0700) and the files in it are readable by all
# (0444): compose mounts each file into the containers that use it with its host owner and
# mode, and those run as various users (kafka 1000, services 10001, mongo root/999).
set -euo pipefail

dir=${1:-${PACT_SECRETS_DIR:-$(dirname "${BASH_SOURCE[0]}")/secrets}}
KAFKA_PRINCIPALS=(admin registry commitments monitoring partner-gateway)
SERVICES=(registry commitments monitoring)

die() {
  echo "${0##*/}: $*" >&2
  exit 1
}
command -v openssl >/dev/null || die "needs openssl (1.1.1 or newer)"

mkdir -p "$dir"
chmod 0700 "$dir"
umask 077

# new_secret NAME COMMAND...: unless DIR/NAME exists, write COMMAND's output to it.
new_secret() {
  local name=$1 file=$dir/$1
  shift
  if [[ -e $file ]]; then
    [[ -f $file && -s $file ]] || die "$file is not a file with something in it: delete it"
    echo "kept     $name"
    return
  fi
  "$@" >"$file.new" || {
    rm -f "$file.new"
    die "could not make $name"
  }
  [[ -s $file.new ]] || die "made an empty $name"
  chmod 0444 "$file.new"
  mv -f "$file.new" "$file"
  echo "made     $name"
}

password() { openssl rand -hex 32; }                 # 256 bits, [0-9a-f]: safe in URLs/JAAS
whsec() { echo "whsec_$(openssl rand -base64 32)"; }  # a Standard Webhooks secret, 256 bits
keyfile() { openssl rand -base64 756; }              # MongoDB's replica-set key: 1008 chars
jwt_private_key() { openssl genpkey -algorithm ed25519; }
jwt_public_key() { openssl pkey -in "$dir/jwt_private_key.pem" -pubout; }
mongo_url() {  # SERVICE: its connection string, with the password of its user
  local password
  password=$(<"$dir/mongo_$1_password")
  echo "mongodb://$1:$password@mongo:27017/$1?replicaSet=rs0&authSource=admin"
}

for principal in "${KAFKA_PRINCIPALS[@]}"; do
  new_secret "kafka_${principal//-/_}_password" password
done
new_secret mongo_root_password password
new_secret mongo_keyfile keyfile
for service in "${SERVICES[@]}"; do
  new_secret "mongo_${service}_password" password
  new_secret "mongo_${service}_url" mongo_url "$service"
  # A kept URL must still hold the (possibly new) password its user gets from mongo-init.
  password=$(<"$dir/mongo_${service}_password")
  [[ $(<"$dir/mongo_${service}_url") == *":$password@"* ]] ||
    die "mongo_${service}_url does not hold mongo_${service}_password: delete the URL file to make it anew"
done
new_secret jwt_private_key.pem jwt_private_key
new_secret jwt_public_key.pem jwt_public_key
[[ $(jwt_public_key) == "$(<"$dir/jwt_public_key.pem")" ]] ||
  die "jwt_public_key.pem is not the public half of jwt_private_key.pem: delete it to make it anew"
new_secret registry_admin_api_key password
new_secret webhook_key password
new_secret monitoring_secretariat_webhook_secret whsec
new_secret portal_session_secret password

cat <<DONE
Secrets are in $dir. Before docker compose up, give compose the registry's admin key:
  export REGISTRY_ADMIN_API_KEY="\$(cat $dir/registry_admin_api_key)"
DONE
