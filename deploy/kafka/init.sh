#!/usr/bin/env bash
# kafka-init (docker-compose.yml), one-shot and idempotent; authenticates as admin:
#   1. creates every topic of the contracts' catalogue (pact_contracts.CATALOGUE), those the
#      rebuild replays kept forever (retention.ms -1);
#   2. sets the SCRAM-SHA-512 credential of every principal in PACT_KAFKA_SCRAM_USERS but
#      admin to the password in its secret file (so a new or rotated file takes effect);
#   3. adds the ACLs of deploy/README.md: a principal writes only the topics it owns and
#      reads only the topics it consumes, with its consumer groups (<service>.<name>);
#   4. sets the producer quota of partner-gateway (add-partner.sh sets each partner's).
# It only adds: an ACL removed from this file stays on the broker until removed by hand.
#
# Env: PACT_KAFKA_BOOTSTRAP (default kafka:9092), PACT_KAFKA_SCRAM_USERS,
#      PACT_KAFKA_GATEWAY_PRODUCER_BYTE_RATE, PACT_KAFKA_PARTNER_REQUEST_PERCENTAGE, and
#      lib.sh's.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GATEWAY_BYTE_RATE=${PACT_KAFKA_GATEWAY_PRODUCER_BYTE_RATE:-4194304}
REQUEST_PERCENTAGE=${PACT_KAFKA_PARTNER_REQUEST_PERCENTAGE:-25}
check_quota "$GATEWAY_BYTE_RATE" "$REQUEST_PERCENTAGE"

ADMIN_CONFIG=$(mktemp)
trap 'rm -f "$ADMIN_CONFIG"' EXIT
write_admin_client_config "$ADMIN_CONFIG"

# ------------------------------------------------------------------------------ topics
topic() {  # NAME PARTITIONS
  kafka topics --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor 1
}
# The topics monitoring's rebuild replays from the beginning (pact_contracts.topics.REPLAYED)
# keep every record: created with retention.ms -1, and set so if they existed before.
kept_topic() {  # NAME PARTITIONS
  kafka topics --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor 1 \
    --config retention.ms=-1
  kafka configs --alter --entity-type topics --entity-name "$1" --add-config retention.ms=-1
}
kept_topic registry.partner-events.v1 6
kept_topic commitments.commitment-events.v1 6
kept_topic partners.progress-reported.v1 6
kept_topic monitoring.alerts.v1 6
topic monitoring.progress-rejected.v1 6
topic registry.dead-letter.v1 1
topic commitments.dead-letter.v1 1
topic monitoring.dead-letter.v1 1

# --------------------------------------------------------------- SCRAM credentials
read -ra users <<<"${PACT_KAFKA_SCRAM_USERS:-}"
for user in "${users[@]}"; do
  [[ $user == admin ]] && continue # the broker logs in as admin: see deploy/README.md
  password=$(kafka_password "$user")
  set_scram_credential "$user" "$password"
done

# ---------------------------------------------------------------------------- ACLs
writes() {  # PRINCIPAL TOPIC...: produce to each topic
  local principal=$1 topics=()
  shift
  for t; do topics+=(--topic "$t"); done
  kafka acls --add --allow-principal "User:$principal" \
    --operation Write --operation Describe "${topics[@]}"
}
reads() {  # PRINCIPAL TOPIC...: consume each topic
  local principal=$1 topics=()
  shift
  for t; do topics+=(--topic "$t"); done
  kafka acls --add --allow-principal "User:$principal" \
    --operation Read --operation Describe "${topics[@]}"
}
groups() {  # PRINCIPAL PREFIX: use the consumer groups whose id starts with PREFIX
  kafka acls --add --allow-principal "User:$1" \
    --operation Read --operation Describe --resource-pattern-type prefixed --group "$2"
}

writes registry registry.partner-events.v1 registry.dead-letter.v1

writes commitments commitments.commitment-events.v1 commitments.dead-letter.v1
reads commitments registry.partner-events.v1 monitoring.alerts.v1
groups commitments commitments.

# monitoring takes POST /progress reports in process (it writes no progress report); it
# reads its own alerts topic only in `python -m monitoring.rebuild`, to align episodes.
writes monitoring monitoring.alerts.v1 monitoring.progress-rejected.v1 monitoring.dead-letter.v1
reads monitoring registry.partner-events.v1 commitments.commitment-events.v1 \
  partners.progress-reported.v1 monitoring.alerts.v1
groups monitoring monitoring.

# Partner systems: only the progress topic. (Their rejections are at GET /progress/rejections,
# which shows each partner its own; the rejections topic holds every partner's.) Other
# partner principals get the same ACL from add-partner.sh.
writes partner-gateway partners.progress-reported.v1

# -------------------------------------------------------------------------- quotas
# partner-gateway forwards several partners' reports, so it may produce more than one
# partner's principal (add-partner.sh); the services have no quota.
set_partner_quota partner-gateway "$GATEWAY_BYTE_RATE" "$REQUEST_PERCENTAGE"

kafka topics --list
kafka acls --list
