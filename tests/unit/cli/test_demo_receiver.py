"""The demo's webhook receiver (`pactctl demo`, `make run`) takes a delivery only when the
secret of the receiver at its path verifies it, as a partner's would."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from standardwebhooks import Webhook

from pact_common.dev_keys import DEV_SECRETARIAT_WEBHOOK_SECRET
from pact_common.webhook_secrets import new_secret
from pactctl.commands.demo import DEV_SECRETARIAT_WEBHOOK_SECRET as DEMO_DEFAULT
from pactctl.commands.demo import Receiver

BODY = '{"event_type": "AlertFired", "rule": "TargetAchieved"}'


def signed(secret: str, body: str = BODY) -> dict[str, str]:
    at = datetime.now(UTC)
    return {
        "Webhook-Id": "d-1",
        "Webhook-Timestamp": str(int(time.time())),
        "Webhook-Signature": Webhook(secret).sign("d-1", at, body),
    }


def test_each_path_verifies_with_its_own_receivers_secret() -> None:
    assert DEMO_DEFAULT == DEV_SECRETARIAT_WEBHOOK_SECRET  # pactctl cannot import pact_common
    partner, other = new_secret(), new_secret()
    receiver = Receiver(0, DEV_SECRETARIAT_WEBHOOK_SECRET)
    try:
        receiver.secrets["/partners/acme"] = Webhook(partner)
        event = receiver.verified("/partners/acme", BODY.encode(), signed(partner))
        assert event == {"event_type": "AlertFired", "rule": "TargetAchieved"}
        assert receiver.verified("/partners/acme", BODY.encode(), signed(other)) is None
        secretariat = signed(DEV_SECRETARIAT_WEBHOOK_SECRET)
        assert receiver.verified("/secretariat", BODY.encode(), secretariat) is not None
        assert receiver.verified("/partners/acme", BODY.encode(), secretariat) is None
        assert receiver.verified("/partners/unknown", BODY.encode(), signed(partner)) is None
        tampered = BODY.replace("Fired", "Resolved").encode()
        assert receiver.verified("/partners/acme", tampered, signed(partner)) is None
    finally:
        receiver.server_close()
