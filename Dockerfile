# One image per Parley service, all from this file:
#
#   docker build --build-arg APP=gateway -t parley-gateway .      (also conversation, delivery, history, mail)
#
# Stages: build (whole workspace, `npm ci && npm run build`, then tools/pack-app.mjs packs the app
# with a package.json of only the packages its compiled code loads and a lockfile pruned to them),
# deps (`npm ci --omit=dev` from that package.json and lockfile), runtime (the packed app and its
# production node_modules, nothing else). e2e/production-build.e2e-spec.ts runs the same pack, install
# and start in CI, where there is no Docker engine.
#
# Node 22 LTS on Alpine, pinned by full version (bump deliberately; Node 20 leaves LTS in April 2026).
ARG NODE_IMAGE=node:22.22.2-alpine3.23

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Dependencies first, so source edits reuse this layer. Install scripts are not needed by the build
# (tsc and tsc-alias), as with npm 11 on developer machines.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.base.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
COPY tools ./tools
ARG APP
RUN test -n "$APP" || { echo 'build with --build-arg APP=gateway|conversation|delivery|history|mail' >&2; exit 1; }
RUN npm run build && node tools/pack-app.mjs "$APP" /out

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /out/package.json /out/package-lock.json ./
# Exactly the locked versions of the app's runtime dependencies, built for this image's libc (musl).
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG APP
LABEL org.opencontainers.image.title="parley-${APP}" \
      org.opencontainers.image.description="Parley ${APP} service" \
      org.opencontainers.image.licenses="MIT"
# Every service listens on 3000 inside its container (outside, `npm start` uses 3000-3003).
# NODE_ENV=production makes the gateway refuse the development admin token and JWT secret.
# The heap limit keeps a busy service's peak RSS near 160 MiB instead of 240-290 (V8 lets a heap
# it is allocating into fast grow); measured neutral on throughput (docs/performance.md#memory).
# Override NODE_OPTIONS in the Deployment to give a service more.
ENV NODE_ENV=production \
    PORT=3000 \
    NODE_OPTIONS=--max-old-space-size=160
WORKDIR /app
# Owned by root and not writable by the process user: the code cannot be changed at run time.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /out/ ./
# The base image's "node" user, given numerically so that Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 3000
# Liveness only: the process answers /health/live once it has connected to NATS, provisioned its
# streams and consumers and migrated its schema (it listens last), and as long as it runs.
# Readiness (/health/ready: NATS, streams, database) is for the orchestrator to route by.
# busybox wget is part of the Alpine image; the probe is a child of the runtime, not of node.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD wget -q -T 2 -O /dev/null "http://127.0.0.1:${PORT}/health/live" || exit 1
# Signals: node runs as PID 1 with no init process in front (no tini, no dumb-init), on purpose.
# PID 1 gets no default signal dispositions from the kernel, but libs/runtime/src/bootstrap.ts
# installs SIGTERM and SIGINT handlers that stop pulling, finish and ack in-flight messages, close
# HTTP and the database pool and drain NATS, then exit 0 (or 1 after PARLEY_SHUTDOWN_TIMEOUT_MS).
# The services spawn no child processes, so there are no orphans to reap, which is the other job
# of an init. `node .` (package.json "main") rather than `npm start`: npm would sit in between as
# PID 1 and not forward the signal reliably. Should a child process ever be added, run the
# container with `--init` (compose: `init: true`) or put tini in front.
STOPSIGNAL SIGTERM
CMD ["node", "."]
