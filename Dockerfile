# syntax=docker/dockerfile:1

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, from pyproject.toml alone, so that code changes do not reinstall them; transitive ones
# pinned by constraints.txt, so that an image rebuilt later gets the same packages.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt -c constraints.txt
COPY szcore/ szcore/
COPY services/ services/
COPY gateway/ gateway/
COPY ops/ ops/
COPY proto/ proto/
RUN pip install --no-deps .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 shuzhuan \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin shuzhuan
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The code is also copied as files (owned by root, read-only to the app): `ops migrate` finds alembic.ini and
# migrations/ next to services/<name>/, and /app comes first on sys.path under `python -m`.
COPY pyproject.toml ./
COPY szcore/ szcore/
COPY services/ services/
COPY gateway/ gateway/
COPY ops/ ops/
COPY proto/ proto/
USER 10001:10001
EXPOSE 8000 8001 8002 8003 8004
ENTRYPOINT ["python", "-m", "ops"]
CMD ["serve", "gateway", "--host", "0.0.0.0", "--port", "8000"]
