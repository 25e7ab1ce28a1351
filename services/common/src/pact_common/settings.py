"""One settings class per service, all built on this base (env prefix per service)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pact_contracts import Topic

from .clock import Clock, TimeLapse, utc_now
from .dev_keys import DEV_JWT_PUBLIC_KEY, is_development_key
from .rate_limits import parse_limits


class ServiceSettings(BaseSettings):
    """Typed settings; `<PREFIX>_MONGO_URL` etc. Subclasses set env_prefix and defaults."""

    model_config = SettingsConfigDict(extra="ignore", env_prefix="PACT_")

    service_name: str = "service"
    #: production unless said otherwise: a process started without it refuses the committed
    #: development secrets (`make run`, `make up` and the tests say development or test)
    environment: Literal["development", "test", "production"] = "production"
    mongo_url: str = "mongodb://127.0.0.1:27017/?replicaSet=rs0"
    mongo_db: str = "pact"
    #: A file holding the whole URL, credentials included (a mounted secret).
    mongo_url_file: Path | None = None
    kafka_bootstrap: str = "127.0.0.1:9092"
    #: SASL/SCRAM-SHA-512 credentials of this service's Kafka principal (production); none
    #: for the local broker. The password may come from a file (a mounted secret).
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_sasl_password_file: Path | None = None
    kafka_use_tls: bool = False
    #: Prepended to every topic name; tests use it to give each test its own topics.
    topic_namespace: str = ""
    #: Consumer-group session timeout. Tansu, the local broker, needs about half of it to
    #: admit a new member, so tests lower it.
    kafka_session_timeout_ms: int = 10_000
    #: How long the producer waits for more messages before it sends a batch of them. 0:
    #: it sends at once, and what comes while a send is in flight goes in the next batch
    #: (alerts leave about 5 ms sooner than with 5 ms; ingestion measured no difference).
    kafka_linger_ms: int = Field(default=0, ge=0, le=1_000)
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    #: None: JSON when stdout is not a terminal, pretty on one.
    log_json: bool | None = None
    jwt_public_key: str = DEV_JWT_PUBLIC_KEY
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "pact-registry"
    jwt_audience: str = "pact-platform"
    max_body_bytes: int = 256 * 1024
    #: requests a principal (a valid token's subject) may make in a moving window, and a
    #: client address without one; more get 429 with Retry-After (pact_common.rate_limits).
    #: `limits` notation, several separated by ';' ("20/second;1200/minute"). Per instance.
    rate_limit: str = "1200/minute"
    rate_limit_anonymous: str = "300/minute"
    #: the proxies whose X-Forwarded-For (the client's address) and X-Forwarded-Proto are
    #: believed, comma-separated ("*": any); others' are ignored
    forwarded_allow_ips: str = "127.0.0.1"
    outbox_poll_seconds: float = 0.5
    #: a process publishes the events it commits at once (the poll is crash recovery);
    #: false: only the relay holding the lease publishes, by its poll
    outbox_publish_at_once: bool = True
    #: Time-lapse for demos: the clock starts at clock_start (default: now) and runs
    #: clock_speed times faster than real time. 1 = real time.
    clock_start: AwareDatetime | None = None
    clock_speed: float = Field(default=1.0, gt=0, le=10_000_000)

    @field_validator("rate_limit", "rate_limit_anonymous")
    @classmethod
    def _a_rate_limit(cls, value: str) -> str:
        parse_limits(value)
        return value

    def clock(self) -> Clock:
        if self.clock_speed == 1.0 and self.clock_start is None:
            return utc_now
        return TimeLapse(self.clock_start or utc_now(), self.clock_speed)

    def topic(self, topic: Topic | str) -> str:
        name = topic if isinstance(topic, str) else topic.name
        return f"{self.topic_namespace}{name}"

    def group(self, name: str) -> str:
        """A consumer group id, namespaced like the topics."""
        return f"{self.topic_namespace}{self.service_name}.{name}"

    @model_validator(mode="after")
    def _load_key_files_and_refuse_dev_secrets(self) -> ServiceSettings:
        if self.jwt_public_key_file is not None:
            self.jwt_public_key = self.jwt_public_key_file.read_text()
        if self.kafka_sasl_password_file is not None:
            self.kafka_sasl_password = SecretStr(self.kafka_sasl_password_file.read_text().strip())
        if self.mongo_url_file is not None:
            self.mongo_url = self.mongo_url_file.read_text().strip()
        if self.environment == "production":
            for name in self._key_fields():
                if is_development_key(getattr(self, name)):
                    prefix = self.model_config.get("env_prefix", "")
                    raise ValueError(
                        f"{name} is the development key; set a real one for production "
                        f"(or {prefix}ENVIRONMENT=development on a developer's machine)"
                    )
        return self

    def _key_fields(self) -> tuple[str, ...]:
        """The PEM keys that must not be the development pair in production."""
        return ("jwt_public_key",)
