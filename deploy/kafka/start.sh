#!/usr/bin/env bash
# The kafka service's process (docker-compose.yml): one KRaft node, broker and controller,
# with SASL authentication and ACLs. It stands in for the image's own start script, which
# can neither add SCRAM credentials when it formats the storage nor read passwords from
# files, and does what that script does, plus those two things:
#
#   1. writes server.properties from the KAFKA_* environment (the image's convention:
#      KAFKA_FOO_BAR=x -> foo.bar=x, "__" -> "_", "___" -> "-") and appends the JAAS
#      logins of the broker's own connections (admin), whose password is read from the
#      mounted secret, never from the environment;
#   2. writes admin.properties, client settings authenticating as admin (the healthcheck
#      uses them; so can an operator: kafka-*.sh --command-config);
#   3. formats the storage on first start, adding the SCRAM-SHA-512 credential of every
#      principal in PACT_KAFKA_SCRAM_USERS (an already formatted volume is left as it is;
#      kafka-init keeps the service credentials equal to the secret files afterwards);
#   4. execs kafka-server-start.sh.
#
# Env: CLUSTER_ID, KAFKA_* (broker settings), PACT_KAFKA_SCRAM_USERS (principals, with
#      admin), PACT_KAFKA_CONFIG_DIR (where the two files go, default /tmp/pact-kafka),
#      PACT_KAFKA_HOME, PACT_SECRETS_DIR (lib.sh).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CLUSTER_ID:?CLUSTER_ID must be set (one per kafka-data volume: kafka-storage.sh random-uuid)}"
: "${KAFKA_CONTROLLER_LISTENER_NAMES:?KAFKA_CONTROLLER_LISTENER_NAMES must be set}"
: "${KAFKA_INTER_BROKER_LISTENER_NAME:?KAFKA_INTER_BROKER_LISTENER_NAME must be set}"
config_dir=${PACT_KAFKA_CONFIG_DIR:-/tmp/pact-kafka}
read -ra users <<<"${PACT_KAFKA_SCRAM_USERS:-admin}"

render_environment() {
  local name key
  for name in "${!KAFKA_@}"; do # the KAFKA_* variables, sorted
    case $name in
      # the JVM's and the launch scripts' settings, not the broker's
      KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_GC_LOG_OPTS) continue ;;
      KAFKA_LOG4J_* | KAFKA_TOOLS_LOG4J_* | KAFKA_JMX_* | KAFKA_DEBUG | KAFKA_VERSION) continue ;;
    esac
    key=${name#KAFKA_}
    key=${key,,}
    key=${key//___/-}
    key=${key//__/@}
    key=${key//_/.}
    key=${key//@/_}
    case $key in
      *jaas* | *password*) die "$name: credentials come from secret files, not the environment" ;;
    esac
    printf '%s=%s\n' "$key" "${!name}"
  done
}

# Every listener authenticates: no PLAINTEXT or SSL-only listener.
if [[ ,${KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:-}, =~ :(PLAINTEXT|SSL), ]]; then
  die "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP has a listener without SASL"
fi

admin_password=$(kafka_password admin)
controller=${KAFKA_CONTROLLER_LISTENER_NAMES%%,*}
controller=${controller,,}
broker=${KAFKA_INTER_BROKER_LISTENER_NAME,,}

umask 077
mkdir -p "$config_dir"
properties=$config_dir/server.properties
{
  echo "# Written by deploy/kafka/start.sh when the container starts; edit the compose file."
  render_environment
  # The controller listener uses SASL/PLAIN: the controller authenticates before it has read
  # the metadata log that holds the SCRAM credentials. Its one user is admin (a super user).
  echo "listener.name.$controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"$admin_password\" user_admin=\"$admin_password\";"
  # The broker's own connections on the inter-broker listener log in as admin (SCRAM).
  echo "listener.name.$broker.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$admin_password\";"
} >"$properties.new"
mv -f "$properties.new" "$properties"
write_admin_client_config "$config_dir/admin.properties"

scram=()
for user in "${users[@]}"; do
  password=$(kafka_password "$user")
  scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$password]")
done
echo "start.sh: formatting the storage unless it is (SCRAM users: ${users[*]})"
"$PACT_KAFKA_HOME/bin/kafka-storage.sh" format --ignore-formatted \
  --cluster-id "$CLUSTER_ID" --config "$properties" "${scram[@]}"

exec "$PACT_KAFKA_HOME/bin/kafka-server-start.sh" "$properties"
