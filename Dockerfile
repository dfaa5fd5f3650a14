# syntax=docker/dockerfile:1
# opioid-pain-cds: the CDS Hooks service. Multi-stage: production dependencies are installed in a build stage and
# copied into a slim runtime that runs as the unprivileged "node" user. The image's own Node.js 24 runs the
# TypeScript sources directly (type stripping); the npm `node` package is not needed here.

FROM node:24.11-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency install scripts (the `node` package's download is for machines without Node 24).
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24.11-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/opioid-pain-cds
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root src ./src
# For a local try-out with CDS_DEV_ISSUER=on: tokens are minted inside the container, with the key it keeps.
COPY --chown=root:root scripts/dev-token.ts ./scripts/dev-token.ts
# The embedded store (when DATABASE_URL is unset) lives here; mount a volume to keep it.
RUN mkdir -p /var/lib/opioid-pain-cds && chown node:node /var/lib/opioid-pain-cds
VOLUME /var/lib/opioid-pain-cds
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# A 64 MB young generation (as `npm run serve`): fewer garbage collections between answers (docs/adr/0018).
CMD ["node", "--max-semi-space-size=64", "--min-semi-space-size=64", "src/server.ts"]
