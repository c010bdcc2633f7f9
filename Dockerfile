# Production images for the api, worker and web processes (targets of the same build).
# Node 24 runs the TypeScript sources directly (type stripping); the workflow bundle and
# the site are built ahead of time.
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
# packages/: the project's own small packages that npm links in (see the README).
COPY package.json package-lock.json ./
COPY packages ./packages
# onnxruntime-node ships its CPU build in the package; its install script would only
# fetch GPU builds from outside the registry. Skipped by package.json's allowScripts on
# npm 11, and by this on any npm.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --no-audit --no-fund

FROM deps AS build
# The site's public origin, built in (see web/vite.config.ts).
ARG SITE_ORIGIN=http://localhost:3001
ENV SITE_ORIGIN=$SITE_ORIGIN
COPY . .
RUN node worker/bundle.ts dist/workflow-bundle.js \
  && cd web && node ../node_modules/vite/bin/vite.js build \
  && cd .. && npm prune --omit=dev --no-audit --no-fund

FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home /app app
COPY --from=build --chown=app:app /app /app
USER app

FROM runtime AS api
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "api/main.ts"]

FROM runtime AS worker
# Script projects: speech made on the box (espeak-ng), subtitles drawn by ffmpeg's libass
# (fontconfig; the fonts themselves come from npm's dejavu-fonts-ttf).
USER root
RUN apt-get update \
  && apt-get install -y --no-install-recommends espeak-ng fontconfig \
  && rm -rf /var/lib/apt/lists/*
USER app
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
# worker/tuning.ts WORKER_NODE_OPTIONS: a small young generation (exports peak lower).
ENV NODE_OPTIONS=--max-semi-space-size=2
CMD ["node", "worker/main.ts"]

FROM runtime AS setup
CMD ["node", "scripts/setup.ts"]

FROM runtime AS web
ENV PORT=3001 HOST=0.0.0.0
EXPOSE 3001
CMD ["node", "web/build/index.js"]
