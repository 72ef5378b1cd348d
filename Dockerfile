# The MARE Broker worker image: agents only, against the Kafka named by MARE_BOOTSTRAP_SERVERS.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY broker ./broker
COPY agents ./agents
COPY schemas ./schemas
RUN pip install --no-cache-dir -e . && useradd --system --home /var/lib/mare mare \
    && mkdir -p /var/lib/mare && chown mare /var/lib/mare
USER mare
ENV MARE_DATA_DIR=/var/lib/mare
CMD ["mare", "worker"]
