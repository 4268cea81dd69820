FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY channels channels
COPY crm_store crm_store
COPY leadgate leadgate
COPY leads leads
COPY routing routing
RUN pip install --no-cache-dir .
EXPOSE 8080 2525
ENV LEADGATE_HTTP_HOST=0.0.0.0
CMD ["leadgate", "--config", "/etc/leadgate/leadgate.toml", "run"]
