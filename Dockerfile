# The project's own image: `mlp serve` (model server) and `mlp registry serve` (registry), the two
# workloads the cluster tree renders. Multi-stage: the build stage compiles TypeScript with the
# dev dependencies; the runtime stage has the production dependencies and dist/ only.
#
# Base image pinned by digest: the multi-arch index of node:22-bookworm-slim that is also
# node:22-slim and node:22.23.1-slim (Node v22.23.1). Where that comes from: about ten independent
# public repositories pin this very digest under those three tags, one notes it was resolved from
# Docker Hub, and one's image test asserts `node --version` = v22.23.1 on it. Docker Hub is not
# reachable from the machine this was written on, so it was not pulled here, and `docker build`
# cannot run here either: test/dockerfile.test.ts checks this file by parsing it.
#
# Read-only root filesystem: nothing is written outside /tmp at run time (logs go to stderr, the
# registry keeps its data in PostgreSQL and S3/MinIO, models are held in memory). Mount an
# emptyDir at /tmp. No secret is baked in: DATABASE_URL, MLP_REGISTRY_TOKEN and the AWS_* keys
# come from the environment at run time (Kubernetes Secrets).

FROM node:22-bookworm-slim@sha256:53ada149d435c38b14476cb57e4a7da73c15595aba79bd6971b547ceb6d018bf AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are here, and the `node`
# devDependency's install script downloads a Node binary the image already has.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:22-bookworm-slim@sha256:53ada149d435c38b14476cb57e4a7da73c15595aba79bd6971b547ceb6d018bf AS runtime
# onnxruntime's native telemetry off: it would persist a device id under ~/.cache (read-only
# here) and try HTTPS uploads. `mlp serve` sets it too when it is unset.
ENV NODE_ENV=production ORT_DISABLE_TELEMETRY=1
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. onnxruntime-node ships its CPU binaries in the package; its
# install script only fetches GPU extras (package.json allowScripts keeps it off everywhere).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf /root/.npm /tmp/*
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY examples ./examples
COPY schema ./schema
# `mlp` on the PATH: the entrypoint below is the CLI itself (bin/mlp.js is executable in git).
RUN ln -s /app/bin/mlp.js /usr/local/bin/mlp
# The base image's unprivileged `node` user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# Model server (mlp serve) and registry (mlp registry serve) default ports.
EXPOSE 8080 5000
# Node-based (the slim image has no curl): /health of whichever server runs here. For the
# registry set MLP_HEALTH_PORT=5000. Kubernetes ignores HEALTHCHECK and uses its own probes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MLP_HEALTH_PORT||'8080')+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["mlp"]
CMD ["--help"]
