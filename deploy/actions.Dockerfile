# The action server image: the helpline directory and the hand-off, on rasa_sdk alone (no Rasa).
# Build from the repository root:  docker build -f deploy/actions.Dockerfile -t ally-actions:1.0.0 .
# tests/unit/test_dockerfiles.py checks that every file the action server opens is copied.
FROM python:3.10.16-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app

COPY deploy/requirements-actions.txt constraints.txt ./
RUN pip install --no-cache-dir "pip==24.0" \
 && pip install --no-cache-dir -r requirements-actions.txt -c constraints.txt

COPY actions/ ./actions/
# Only the Rasa-free part of `ally` (docs/architecture.md, import rules).
COPY ally/__init__.py ally/log_privacy.py ally/scenarios.py ally/locales.py ally/text.py ./ally/
COPY scenarios.yml ./
COPY locales/ ./locales/

USER 10001:10001
EXPOSE 5055
ENTRYPOINT ["python", "-m", "rasa_sdk", "--actions", "actions", "--port", "5055"]
