# One image for the three services (registry, commitments, monitoring); docker-compose.yml
# picks the process with `command:` (registry-service, commitments-service, monitoring-service).
# Monitoring's domain compiled with mypyc (scripts/compile_domain.py), as `make` compiles it
# for the tests and the benchmark: the C compiler stays in this stage.
FROM python:3.11-slim AS domain
WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml ./
COPY scripts/compile_domain.py ./scripts/
COPY contracts ./contracts
COPY services/common ./services/common
COPY services/monitoring ./services/monitoring
# the domain's imports of pact_common, for the type checking that mypyc compiles from
RUN pip install --no-cache-dir --no-deps --no-build-isolation ./contracts ./services/common
RUN python scripts/compile_domain.py --build-dir /tmp/mypyc

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Every third-party package at the version requirements.lock pins, each checked against
# the lock's hashes (pip refuses anything unpinned or unhashed); no resolution here. The
# lock also pins hatchling, which builds the platform's packages below.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock

# The platform's own packages, built from this checkout with the pinned hatchling and
# nothing else fetched (--no-deps, --no-build-isolation); pip check proves the lock
# holds everything they need.
COPY contracts ./contracts
COPY services ./services
# the extension modules (the wheel takes them: `artifacts` in its pyproject.toml)
COPY --from=domain /app/services/monitoring/src/monitoring/core/domain/ ./services/monitoring/src/monitoring/core/domain/
RUN pip install --no-cache-dir --no-deps --no-build-isolation \
        ./contracts \
        ./services/common \
        ./services/registry \
        ./services/commitments \
        ./services/monitoring \
        ./services/portal \
    && pip check

RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin app
USER 10001:10001

EXPOSE 8001 8002 8003

# No default process of ours: each compose service sets its `command:`.
