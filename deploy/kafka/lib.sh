# shellcheck shell=bash
# Shared by start.sh, init.sh and add-partner.sh (sourced, never run). See deploy/README.md.
#
# Env: PACT_KAFKA_HOME (the Kafka installation, default /opt/kafka),
#      PACT_SECRETS_DIR (the mounted secrets, default /run/secrets).

PACT_KAFKA_HOME=${PACT_KAFKA_HOME:-/opt/kafka}
PACT_SECRETS_DIR=${PACT_SECRETS_DIR:-/run/secrets}

die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

# A principal's name: lower-case letters, digits, '.', '_' and '-' (no ',' '=' '[' ']' ';'
# or quotes, which would break the SCRAM and JAAS syntax the name is written into).
check_principal() {
  [[ $1 =~ ^[a-z0-9][a-z0-9._-]{0,63}$ ]] || die "not a valid principal name: '$1'"
}

# The password of a Kafka principal, from the secret kafka_<principal>_password ('-' as '_').
# Only letters, digits, '.', '_', '~' and '-', at least 16 of them: the password is written
# into JAAS strings and SCRAM specs (deploy/make-secrets.sh makes 64 hex digits).
kafka_password() {
  local file password
  check_principal "$1"
  file="$PACT_SECRETS_DIR/kafka_${1//-/_}_password"
  [[ -r $file ]] || die "cannot read $file (make it with deploy/make-secrets.sh)"
  password=$(<"$file")
  [[ $password =~ ^[A-Za-z0-9._~-]{16,}$ ]] ||
    die "$file: want at least 16 of A-Z a-z 0-9 . _ ~ - and nothing else"
  printf '%s' "$password"
}

# A fresh random password: 64 hex digits (256 bits) from the kernel's generator.
random_password() {
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

# Client settings authenticating as the super user admin (kafka-*.sh --command-config FILE).
write_admin_client_config() {
  local password
  password=$(kafka_password admin)
  (
    umask 077
    cat >"$1" <<CONFIG
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$password";
CONFIG
  )
}

# kafka TOOL ARGS...: /opt/kafka/bin/kafka-TOOL.sh against $PACT_KAFKA_BOOTSTRAP as admin.
# Needs ADMIN_CONFIG (a file written by write_admin_client_config).
kafka() {
  local tool=$1
  shift
  "$PACT_KAFKA_HOME/bin/kafka-$tool.sh" --bootstrap-server "${PACT_KAFKA_BOOTSTRAP:-kafka:9092}" \
    --command-config "$ADMIN_CONFIG" "$@"
}

# Creates or replaces (same command) the SCRAM-SHA-512 credential of PRINCIPAL.
set_scram_credential() {  # PRINCIPAL PASSWORD
  check_principal "$1"
  kafka configs --alter --entity-type users --entity-name "$1" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]"
}

# The client quotas of a partner principal: what it may produce (bytes a second) and the
# share of the broker's request-handling time it may take (percent of one thread). The
# broker enforces them by delaying the principal's requests, never by refusing them, so
# one partner system cannot starve the platform's producers and consumers.
check_quota() {  # PRODUCER_BYTE_RATE REQUEST_PERCENTAGE
  [[ $1 =~ ^[1-9][0-9]{0,11}$ ]] || die "producer byte rate: a whole number of bytes a second, not '$1'"
  [[ $2 =~ ^[1-9][0-9]{0,3}$ ]] || die "request percentage: a whole number, not '$2'"
}
set_partner_quota() {  # PRINCIPAL PRODUCER_BYTE_RATE REQUEST_PERCENTAGE
  check_principal "$1"
  check_quota "$2" "$3"
  kafka configs --alter --entity-type users --entity-name "$1" \
    --add-config "producer_byte_rate=$2,request_percentage=$3"
}
