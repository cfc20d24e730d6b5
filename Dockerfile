# govworkflow environment server for a Hugging Face Docker Space (port 7860).
# Build: docker build -t govworkflow . ; run: docker run -p 7860:7860 govworkflow
FROM python:3.11-slim

# Spaces run the container as user 1000; so do we, everywhere.
RUN useradd --create-home --uid 1000 user
USER user
ENV HOME=/home/user \
    PATH=/home/user/.local/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /home/user/app

COPY --chown=user . .
RUN pip install --user ".[server]"

EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7860/health', timeout=4)"]
# Host/Origin allow-list: the Space's own name (*.hf.space) and this container. Another
# domain: add --allow-host for it. By ASGI name instead (limits from GOVWORKFLOW_*):
#   uvicorn govworkflow.server.asgi:app --host 0.0.0.0 --port 7860 --ws-max-size 66560
CMD ["govworkflow", "serve", "--host", "0.0.0.0", "--port", "7860", "--log-level", "warning", "--allow-host", "*.hf.space", "--allow-host", "localhost", "--allow-host", "127.0.0.1"]
