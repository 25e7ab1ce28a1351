#!/usr/bin/env bash
# Gives a partner system its own Kafka principal: a fresh SCRAM-SHA-512 password, the
# only ACL partners get, Write (and Describe) on partners.progress-reported.v1, and a
# producer quota (PACT_KAFKA_PARTNER_PRODUCER_BYTE_RATE bytes a second, default 1 MiB;
# PACT_KAFKA_PARTNER_REQUEST_PERCENTAGE of a request thread, default 25). Prints the
# client settings, password included, once: hand them over on a confidential channel.
# Running it again for the same principal replaces the password (rotation). From the
# repository root, with the stack up:
#
#   docker compose run --rm kafka-init /opt/pact/kafka/add-partner.sh partner-acme
#
# Env: as init.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

principal=${1:-}
[[ $principal =~ ^partner-[a-z0-9][a-z0-9-]{0,54}$ ]] ||
  die "usage: add-partner.sh partner-NAME (NAME: lower-case letters, digits and '-')"
[[ $principal != partner-gateway ]] ||
  die "partner-gateway's password is its secret file's (deploy/make-secrets.sh); kafka-init sets it"

BYTE_RATE=${PACT_KAFKA_PARTNER_PRODUCER_BYTE_RATE:-1048576}
REQUEST_PERCENTAGE=${PACT_KAFKA_PARTNER_REQUEST_PERCENTAGE:-25}
check_quota "$BYTE_RATE" "$REQUEST_PERCENTAGE"

ADMIN_CONFIG=$(mktemp)
trap 'rm -f "$ADMIN_CONFIG"' EXIT
write_admin_client_config "$ADMIN_CONFIG"

password=$(random_password)
set_scram_credential "$principal" "$password" >&2
kafka acls --add --allow-principal "User:$principal" \
  --operation Write --operation Describe --topic partners.progress-reported.v1 >&2
set_partner_quota "$principal" "$BYTE_RATE" "$REQUEST_PERCENTAGE" >&2

cat <<SETTINGS
# Kafka producer settings for $principal, which may write partners.progress-reported.v1
# and nothing else. bootstrap.servers and security.protocol: the endpoint the secretariat
# gives you (SASL_SSL from outside the deployment's network; see deploy/README.md).
sasl.mechanism=SCRAM-SHA-512
sasl.username=$principal
sasl.password=$password
SETTINGS
