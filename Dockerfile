# One image for the three services (registry, commitments, monitoring); docker-compose.yml
# picks the process with `command:` (registry-service, commitments-service, monitoring-service).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only the packages' sources: the contracts and the services. (No requirements.lock yet;
# once there is one: pip install --no-cache-dir -r requirements.lock first, then these
# with --no-deps.)
COPY contracts ./contracts
COPY services ./services

RUN pip install --no-cache-dir \
        ./contracts \
        ./services/common \
        ./services/registry \
        ./services/commitments \
        ./services/monitoring

RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin app
USER 10001:10001

EXPOSE 8001 8002 8003

# No default process of ours: each compose service sets its `command:`.
