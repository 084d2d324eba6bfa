# The Rasa server image: NLU, dialogue, the channels, the widget bundle and the trained model.
# Build from the repository root after `make setup train` (the model and the widget bundle are
# build outputs):  docker build -f deploy/rasa.Dockerfile -t ally-rasa:1.0.0 .
# tests/unit/test_dockerfiles.py checks that every file the server opens is copied.
FROM python:3.10.16-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RASA_TELEMETRY_ENABLED=false \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp
WORKDIR /app

COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir "pip==24.0" \
 && pip install --no-cache-dir -r requirements.txt -c constraints.txt

# Configuration, the scenario registry and every language's words.
COPY config.yml domain.yml endpoints.yml credentials.yml scenarios.yml ./
COPY locales/ ./locales/
# Server plugins: channels, NLU components, stores, safeguards.
COPY ally/ ./ally/
# The blank spaCy pipeline the model loads by its relative path (config.yml), and the model itself.
COPY build/spacy/ ./build/spacy/
COPY models/ally.tar.gz ./models/ally.tar.gz
# The widget the channel serves, and its demo page.
COPY widget/dist/ ./widget/dist/
COPY widget/demo/ ./widget/demo/

USER 10001:10001
EXPOSE 5005
ENTRYPOINT ["rasa"]
CMD ["run", "--model", "models/ally.tar.gz", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--port", "5005"]
