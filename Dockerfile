# syntax=docker/dockerfile:1
# One image, both programs: mcs-bridge-webhook and mcs-bridge-syncer (and mcs-bridge-certs),
# each on PATH. The Helm chart runs it as user 1000 with a read-only root filesystem.
#
#   docker build -t ghcr.io/mcs-bridge/mcs-bridge:0.1.0 .
#
# Node.js 24 LTS on Debian bookworm (slim). The tests run on this very version: the Makefile reads
# it from here and installs the same binary (test/image/node.sh; package.json engines: ^24.11.0,
# the 24 LTS line). Changing it takes new sha512 pins in test/image/base.env (docs/image.md).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# 1. Compile TypeScript with the full dependency tree (typescript is a dev dependency).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib/ lib/
COPY certs/ certs/
COPY webhook/ webhook/
COPY syncer/ syncer/
COPY kubectl-mcs/ kubectl-mcs/
RUN npx tsc -p tsconfig.build.json

# 2. Production dependencies only; none of them has an install script.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. The runtime: node, the compiled programs and their production dependencies. npm, npx,
# corepack and yarn are removed: nothing installs anything at run time.
FROM ${NODE_IMAGE}
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
      /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
# package.json says "type": "module", which the compiled ES modules need.
COPY package.json ./
COPY --from=deps /app/node_modules/ node_modules/
COPY --from=build /src/dist/ dist/
RUN chmod 0755 dist/webhook/main.js dist/syncer/main.js dist/certs/main.js dist/kubectl-mcs/main.js \
 && ln -s /app/dist/webhook/main.js /usr/local/bin/mcs-bridge-webhook \
 && ln -s /app/dist/syncer/main.js /usr/local/bin/mcs-bridge-syncer \
 && ln -s /app/dist/certs/main.js /usr/local/bin/mcs-bridge-certs \
 && ln -s /app/dist/kubectl-mcs/main.js /usr/local/bin/kubectl-mcs
LABEL org.opencontainers.image.title="mcs-bridge" \
      org.opencontainers.image.description="Karmada-compatible MultiClusterService webhook and syncer" \
      org.opencontainers.image.licenses="Apache-2.0"
# Numeric, so the kubelet can check runAsNonRoot without reading /etc/passwd (1000 is `node`).
USER 1000:1000
ENTRYPOINT []
CMD ["mcs-bridge-webhook", "--help"]
