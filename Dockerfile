# syntax=docker/dockerfile:1
# The Rollcall central server (server/), not the kiosk. Three stages:
#   build — full install (dev tools), TypeScript → JavaScript file by file with esbuild
#           (same layout, so import.meta.url-relative paths such as resources/models still work),
#           and the staff console (React, Vite) into out/console, which the server serves at `/`
#   deps  — the server workspace's production dependencies only (npm ci --workspace=server
#           --omit=dev: no Electron, React, updater or webcam package; `npm run check:packaging`
#           proves it from package-lock.json), then the face models photo import uses are copied
#           into resources/models and checked against SHA256SUMS
#   run   — node:20-slim, non-root, no compilers, no dev dependencies, no TypeScript runtime
#
#   docker build -t rollcall-server .
#   docker run -p 8000:8000 -v rollcall-data:/app/data rollcall-server      # SQLite, one instance
# Several instances on PostgreSQL: docker-compose.yml and docs/deployment.md.

ARG NODE_IMAGE=node:20-slim

# ---------------------------------------------------------------- build
FROM ${NODE_IMAGE} AS build
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
WORKDIR /src
# better-sqlite3 falls back to compiling when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY eval/package.json eval/
COPY scripts/copy-models.mjs scripts/
COPY resources/models/SHA256SUMS resources/models/
# The shipped embedder is vendored in git, not an npm package (vendor/faceplugin/README.md).
COPY vendor/faceplugin vendor/faceplugin
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.base.json tsconfig.node.json tsconfig.web.json ./
COPY server/src server/src
COPY src/contracts src/contracts
COPY src/ml src/ml
# The staff console imports the server's zod schemas, so it is built after server/src is in.
COPY server/console server/console
COPY scripts/build-console.ts scripts/
RUN npx tsx scripts/build-console.ts && test -f out/console/index.html
# Transpile only (types are checked in CI by `npm run typecheck`); tests are left out.
RUN find server/src src/contracts src/ml -name '*.ts' ! -name '*.test.ts' ! -name '*.d.ts' \
      | xargs npx esbuild --outdir=/out --outbase=. --format=esm --platform=node --target=node20 --log-level=warning \
 && (cd src/ml && find . -name '*.mjs' -exec cp --parents {} /out/src/ml/ \;)

# ---------------------------------------------------------------- deps
FROM ${NODE_IMAGE} AS deps
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# Every workspace's manifest, so npm ci can check the lock; only the server's dependencies install.
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY eval/package.json eval/
COPY scripts/copy-models.mjs scripts/
COPY resources/models/SHA256SUMS resources/models/
# The shipped embedder is vendored in git, not an npm package (vendor/faceplugin/README.md).
COPY vendor/faceplugin vendor/faceplugin
# tfjs-node is optional: it downloads libtensorflow; when that fails the engine uses WASM.
RUN npm ci --workspace=server --omit=dev --no-audit --no-fund && node scripts/copy-models.mjs && npm cache clean --force

# ---------------------------------------------------------------- run
FROM ${NODE_IMAGE} AS run
WORKDIR /app
# package.json carries "type": "module" for the transpiled .js files.
COPY --chown=root:root package.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/resources resources
COPY --from=build /out/ ./
# server/src/console/static.ts serves <app>/out/console; without it `/` answers "not built".
COPY --from=build /src/out/console out/console
RUN mkdir -p /app/data && chown node:node /app/data
USER node
ENV PORT=8000 HOST=0.0.0.0 DATA_DIR=/app/data
EXPOSE 8000
VOLUME ["/app/data"]
# GET /health answers 200 only when the database answers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# server.js finishes in-flight requests on SIGTERM (10 s limit), then closes the database.
STOPSIGNAL SIGTERM
CMD ["node", "server/src/server.js"]
