"""Monitoring's settings: MONITORING_* environment variables."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from monitoring.notify.adapters.smtp import SmtpServer
from monitoring.notify.domain.email import RetryPolicy as EmailRetry
from monitoring.notify.domain.silences import DEFAULT_INHIBITION
from monitoring.notify.entrypoints.mailing import EmailSettings
from pact_common.dev_keys import DEV_SECRETARIAT_WEBHOOK_SECRET, DEV_WEBHOOK_KEY
from pact_common.settings import ServiceSettings
from pact_common.webhook_secrets import check_deployment_key, check_secretariat_secret
from pact_contracts import MAX_REPORT_BYTES, AlertRule


class ViewsKept(BaseSettings):
    """Where the views' counters are kept: the service's settings and its keeper's."""

    #: the views' counters (buckets, partners per scope, year rows) kept apart from the hot
    #: path, by the views' keeper (`python -m monitoring.keeper`, domain/view_journal.py):
    #: the hot path writes a journal entry per commitment instead, and the views follow it
    #: within `keeper_idle_seconds`. Off: kept inline, in the batch's transaction (no keeper
    #: needed, the views never lag). On by default since 2026-12-07: fewer CPU and round
    #: trips a batch, so lower alert latency and more reports a second (docs/performance.md).
    #: A database is kept one way from its start (a rebuild makes it anew)
    views_apart: bool = True
    keeper_batch: int = Field(default=2000, ge=1, le=20_000)
    keeper_idle_seconds: float = Field(default=0.2, gt=0)
    #: touched by the keeper after each round (at least every 10 s, idle or not): a
    #: container's healthcheck reads its age (docker-compose.yml)
    keeper_heartbeat_file: Path | None = None


class KeeperSettings(ServiceSettings, ViewsKept):
    """The keeper's: the same MONITORING_* variables, of which it needs only the database's;
    no key (it verifies no token and signs nothing), so none is asked for in production."""

    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")

    service_name: str = "monitoring-keeper"
    mongo_db: str = "monitoring"
    #: how much the keeper's process yields the CPU (os.nice, 0 to 19) to the service's hot
    #: path where the two share a machine (`make run`, one host): the views may wait, the
    #: alerts may not. At 1,000 reports/s on 2 cores it took the alert latency's p99 from 449, 265
    #: and 646 ms to 257, 218 and 414 ms, interleaved (docs/performance.md, 2026-12-07)
    keeper_nice: int = Field(default=10, ge=0, le=19)
    #: set: the keeper serves Prometheus metrics there (`/metrics`: entries replayed, how
    #: far the views are behind, rounds failed); it has no other HTTP
    keeper_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    keeper_metrics_host: str = "127.0.0.1"
    #: the states the keeper remembers between rounds (the most recently kept): a round
    #: reads of them only their `seq` and writes only what changed, where it would read
    #: and rewrite each whole (service_layer/keeper.py, KnownStates). About 3 KB each for
    #: two years of monthly periods, 15 KB for ten; a commitment forgotten is read whole
    #: again, so any size is correct, 0 included
    keeper_states_known: int = Field(default=10_000, ge=0, le=1_000_000)

    def _key_fields(self) -> tuple[str, ...]:
        return ()


class Settings(ServiceSettings, ViewsKept):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")

    service_name: str = "monitoring"
    mongo_db: str = "monitoring"
    http_port: int = 8003
    #: POST /progress takes one report; larger bodies are refused with 413
    max_body_bytes: int = MAX_REPORT_BYTES
    #: the progress topic is read in batches of up to this many reports (one transaction each);
    #: a commitment's document is read, evaluated and written once per batch, so larger batches
    #: catch up faster (bench/monitoring_perf.py: 1,040 reports/s at 500, 2,027 at 2,000)
    progress_batch_max_records: int = Field(default=2000, ge=1, le=5000)
    #: the most the broker holds a fetch of the progress topic that finds nothing new, and
    #: the consumer's idle wait (FastStream waits this long for a batch, then sleeps as long
    #: again): a report that comes while the consumer is idle waits up to about their sum.
    #: Kept short, at the price of a few more fetches a second on an idle topic
    progress_fetch_wait_ms: int = Field(default=50, ge=1, le=10_000)
    progress_idle_wait_ms: int = Field(default=10, ge=1, le=10_000)
    #: reads (GET) answered at once; more wait their turn, so ingestion, on the same event
    #: loop, keeps its share of it and /health answers however many clients read. One: a
    #: read's Python then never runs beside another's while the first waits on mongod
    #: (bench (7), 20 clients: ingestion 0.73x to 0.97x with one, 0.70x to 0.73x with two).
    #: Tried and not kept: any number at once, identical reads sharing the one under way
    #: (0.56x and 0.84x, three times the queries answered: clients that ask again at once
    #: spend whatever a cheaper query saves)
    reads_in_turn: int = Field(default=1, ge=1, le=100)
    #: while a progress batch is being stored, reads keep to this share of the time: a read
    #: that held its turn d seconds keeps it d x (1 / share - 1) longer (pact_common.http).
    #: bench (7), 20 clients, quick: 0.86x, 0.82x, 0.96x with 0.5; 0.74x, 0.79x with 1 (no
    #: holding); 0.80x with 0.75; 0.93x with 0.25. The clients answered a quarter as often
    reads_share: float = Field(default=0.5, gt=0, le=1)
    #: how often the clock-driven rules run (deadlines pass with no event at all)
    sweep_interval_seconds: float = Field(default=60.0, gt=0)
    #: how often an instance sharing the progress topic evaluates the partnership targets
    #: it owns (core/domain/ownership.py); alone, it does so after each batch
    owned_targets_seconds: float = Field(default=1.0, gt=0)
    #: subjects evaluated per sweep transaction
    sweep_batch: int = Field(default=200, ge=1, le=5000)
    #: how long a report waits for its commitment before it is rejected as parked_expired
    park_seconds: float = Field(default=7 * 24 * 3600, gt=0)
    #: reports one partner may have waiting; more are rejected as unknown_commitment
    park_limit_per_partner: int = Field(default=1000, ge=0)
    #: every report taken over Kafka must carry its partner's signature (reason `unsigned`
    #: otherwise); unset: on when ENVIRONMENT is production, off elsewhere. Reports sent with
    #: POST /progress are bound to the token's partner and need none
    require_signatures: bool | None = None
    #: CommitmentAtRisk: projection short of the target by more than this share...
    at_risk_tolerance: float = Field(default=0.10, ge=0, le=1)
    #: ... once this share of the start..deadline window has passed
    at_risk_min_elapsed: float = Field(default=0.25, ge=0, le=1)
    #: once at risk, it resolves only when the projection is short by less than this many
    #: percent of the target (hysteresis; it fires past at_risk_tolerance)
    at_risk_resolve_short_percent: float = Field(default=5.0, ge=0, le=100)
    #: a firing alert's resolve is sent only once it has fired this long (held until then,
    #: and nothing is sent if it holds again meanwhile): no flapping
    min_firing_seconds: float = Field(default=300.0, ge=0)
    #: inhibition: a firing alert of a rule (key) mutes the alerts of these rules on the same
    #: subject: not delivered while it fires (JSON in MONITORING_INHIBITION; {} for none)
    inhibition: dict[AlertRule, list[AlertRule]] = Field(
        default_factory=lambda: {
            AlertRule(k): [AlertRule(r) for r in v] for k, v in DEFAULT_INHIBITION.items()
        }
    )

    # --- the alert board and its webhooks (notify/) ---
    #: every alert is also delivered here (none: the secretariat gets no webhook)
    secretariat_webhook_url: str | None = None
    #: the secretariat's receiver's secret (Standard Webhooks, whsec_ and base64; make one with
    #: `python -c "from pact_common.webhook_secrets import new_secret; print(new_secret())"`);
    #: may come from a file (a mounted secret). During a rotation, the previous one signs too
    secretariat_webhook_secret: SecretStr = SecretStr(DEV_SECRETARIAT_WEBHOOK_SECRET)
    secretariat_webhook_secret_file: Path | None = None
    secretariat_webhook_previous_secret: SecretStr | None = None
    #: derives each partner's webhook secret: the registry's REGISTRY_WEBHOOK_KEY, the same
    #: value; may come from a file (a mounted secret)
    webhook_key: SecretStr = SecretStr(DEV_WEBHOOK_KEY)
    webhook_key_file: Path | None = None
    #: one deadline for a whole attempt (connect, send, answer)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    #: a delivery is given up after this many failed attempts...
    webhook_max_attempts: int = Field(default=12, ge=1, le=100)
    #: ... waiting base * 2^(attempt-1) after each, at most max (30 s, 1 min, ... 6 h)
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600, gt=0)
    #: how often the delivery worker looks for due deliveries, and how many attempts it has in
    #: flight at most (each to a receiver of its own)
    delivery_poll_seconds: float = Field(default=1.0, gt=0)
    delivery_batch: int = Field(default=20, ge=1, le=500)
    #: a worker's claim on a delivery it is sending (wall clock; a crashed worker's expire)
    delivery_lease_seconds: float = Field(default=60.0, gt=0)
    #: may partners' webhooks resolve to private, loopback or link-local addresses? unset:
    #: yes, but not in production
    webhook_private_networks: bool | None = None
    #: are only https webhooks called? unset: in production only
    webhook_https_only: bool | None = None
    # --- alerts by email to people (notify/: issue 16) ---
    #: the SMTP server alert emails go through; unset: no email at all
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "Pact for Skills alerts <alerts@pact-for-skills.invalid>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    #: STARTTLS after connecting
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    #: the portal, for the links in emails ({portal_url}/alerts/{alert id})
    portal_url: str = "http://127.0.0.1:8000"
    #: alerts of one group (a partner; the secretariat's: a partnership) arriving within this
    #: wait go to a person in one message
    email_group_wait_seconds: float = Field(default=30.0, ge=0)
    #: a critical alert still firing is mailed again each interval (0: never)
    email_repeat_interval_seconds: float = Field(default=7 * 24 * 3600, ge=0)
    #: the hour (UTC) of the daily digest of those who asked for one
    email_digest_hour: int = Field(default=8, ge=0, le=23)
    email_max_attempts: int = Field(default=8, ge=1, le=100)
    email_retry_base_seconds: float = Field(default=30.0, gt=0)
    email_retry_max_seconds: float = Field(default=3600.0, gt=0)
    email_poll_seconds: float = Field(default=1.0, gt=0)
    #: `python -m monitoring.rebuild` replays the topics into this (fresh) database, unless --into
    rebuild_db: str | None = None

    @model_validator(mode="after")
    def _load_webhook_secrets(self) -> Settings:
        if self.secretariat_webhook_secret_file is not None:
            text = self.secretariat_webhook_secret_file.read_text().strip()
            self.secretariat_webhook_secret = SecretStr(text)
        if self.webhook_key_file is not None:
            self.webhook_key = SecretStr(self.webhook_key_file.read_text().strip())
        check_deployment_key(self.webhook_key.get_secret_value(), self.environment)
        for secret in (self.secretariat_webhook_secret, self.secretariat_webhook_previous_secret):
            if secret is not None:
                check_secretariat_secret(secret.get_secret_value(), self.environment)
        return self

    def secretariat_webhook_secrets(self) -> tuple[str, ...]:
        """The secretariat's receiver's secrets that sign, the current one first."""
        previous = self.secretariat_webhook_previous_secret
        secrets = (self.secretariat_webhook_secret, *([previous] if previous else []))
        return tuple(s.get_secret_value() for s in secrets)

    @property
    def signatures_required(self) -> bool:
        """MONITORING_REQUIRE_SIGNATURES, or whether this is production."""
        if self.require_signatures is not None:
            return self.require_signatures
        return self.environment == "production"

    def email(self) -> EmailSettings | None:
        """None: no SMTP server set, no email."""
        if not self.smtp_host:
            return None
        password = self.smtp_password
        return EmailSettings(
            server=SmtpServer(
                self.smtp_host,
                self.smtp_port,
                self.smtp_from,
                self.smtp_timeout_seconds,
                self.smtp_starttls,
                self.smtp_username,
                password.get_secret_value() if password else None,
            ),
            portal_url=self.portal_url,
            group_wait_seconds=self.email_group_wait_seconds,
            repeat_interval_seconds=self.email_repeat_interval_seconds,
            digest_hour=self.email_digest_hour,
            retry=EmailRetry(
                self.email_max_attempts,
                timedelta(seconds=self.email_retry_base_seconds),
                timedelta(seconds=self.email_retry_max_seconds),
            ),
            poll_seconds=self.email_poll_seconds,
            lease_seconds=self.delivery_lease_seconds,
        )
