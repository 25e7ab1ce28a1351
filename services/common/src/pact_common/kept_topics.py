"""`python -m pact_common.kept_topics --bootstrap HOST:PORT [--namespace NS]`: create the
topics the rebuild replays (pact_contracts.topics.REPLAYED) that do not exist yet, keeping
every record (retention.ms -1), and print each one's retention as the broker states it.

scripts/kafka.sh runs it once the local broker answers. A topic that exists with another
retention is reported, not changed: Tansu cannot alter a topic's configs (it never deletes
records either); on Apache Kafka deploy/kafka/init.sh sets it with kafka-configs.sh."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from pact_contracts.topics import KEPT_FOREVER, REPLAYED

RETENTION = "retention.ms"


async def ensure_kept(bootstrap: str, namespace: str = "", partitions: int = 6) -> dict[str, str]:
    """Create the replayed topics that are missing, kept forever; each one's retention.ms
    ("" when the broker states none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [f"{namespace}{t.name}" for t in REPLAYED]
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, partitions, 1, topic_configs=dict(KEPT_FOREVER))
            for name in names
            if name not in existing
        ]
        if missing:
            await admin.create_topics(missing)
        return await retention_of(admin, names)
    finally:
        await admin.close()


async def retention_of(admin: AIOKafkaAdminClient, names: Sequence[str]) -> dict[str, str]:
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    found = dict.fromkeys(names, "")
    for response in await admin.describe_configs(resources):
        for resource in response.resources:
            name, entries = resource[3], resource[4]
            for entry in entries:
                if entry[0] == RETENTION and name in found:
                    found[name] = entry[1] or ""
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pact_common.kept_topics")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--namespace", default="", help="prefix of the topic names")
    parser.add_argument("--partitions", type=int, default=6)
    args = parser.parse_args(argv)
    kept = asyncio.run(ensure_kept(args.bootstrap, args.namespace, args.partitions))
    other = {name: value for name, value in kept.items() if value != KEPT_FOREVER[RETENTION]}
    for name, value in kept.items():
        sys.stdout.write(f"{name}: {RETENTION} {value or 'not stated'}\n")
    if other:
        sys.stderr.write(
            "these topics existed with another retention; they may lose history older than "
            f"it: {', '.join(sorted(other))}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
