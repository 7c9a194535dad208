# syntax=docker/dockerfile:1
#
# RepoSentry container image.
#
#   docker build -t reposentry:local .
#   docker run --rm -p 8080:8080 -v "$PWD/config.yaml:/config/config.yaml:ro" \
#     -v reposentry-data:/data --read-only --tmpfs /tmp -e GITHUB_TOKEN reposentry:local
#
# The config file is read from /config/config.yaml; state (the SQLite database) lives in the
# /data volume. Tokens are passed as environment variables at run time and referenced from the
# config as ${GITHUB_TOKEN} etc.: nothing secret is ever baked into the image.

# ---------------------------------------------------------------------------------------------
# build: compile TypeScript and build the native SQLite binding, then drop dev dependencies.
# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build

# node-gyp needs python3, make and a C++ compiler when no prebuilt better-sqlite3 binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so source edits do not invalidate the npm ci layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------
# runtime: production node_modules, compiled JavaScript, git; runs as an unprivileged user.
# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime

# git: `git ls-remote` (provider git and the API fallback); openssh-client: ssh:// remotes;
# ca-certificates: TLS to the forges and the EventListener; tini: PID 1 that forwards SIGTERM
# and SIGHUP to node and reaps the git processes it starts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 reposentry \
 && useradd --system --uid 10001 --gid reposentry --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin reposentry \
 && mkdir -p /data /config \
 && chown reposentry:reposentry /data

# HOME points at /tmp so git finds a writable home with a read-only root filesystem
# (mount a tmpfs or emptyDir at /tmp).
ENV NODE_ENV=production \
    HOME=/tmp \
    REPOSENTRY_CONFIG=/config/config.yaml

# Application files stay owned by root: the service user can read them, not change them.
COPY --from=build /app/package.json /app/package.json
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/dist /app/dist
COPY --from=build /app/bin /app/bin

# Relative paths in a config (the default data_dir ./data) resolve inside the volume.
WORKDIR /data
VOLUME ["/data"]

# app.health_check_port: API, /healthz, /readyz, /metrics and the Swagger UI.
EXPOSE 8080

USER 10001:10001

# Node's built-in fetch: no curl or wget in the image. Assumes health_check_port 8080.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/reposentry.js"]
CMD ["run", "-c", "/config/config.yaml"]
