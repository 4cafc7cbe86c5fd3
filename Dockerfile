# The production image: compiled JavaScript on Node.js 22 LTS, production dependencies only (no Azurite:
# local mode and tests only), non-root. `npm run rules` runs the compiled CLI (dist/cli/rules.js) here.
# Every step here is also run by the test "the production image's steps" (test/faults/compiled-build.test.ts),
# which CI runs, so this file cannot drift from what is tested. Deploying: docs/deploy-azure-container-apps.md.

# Build stage: all dependencies, TypeScript compiled to dist/.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and dist/ only.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
    && mkdir -p /data && chown node:node /data
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Ready means: the bot's tables are reachable and Slack accepts its token (see docs/operations.md → Probes).
HEALTHCHECK --interval=30s --timeout=6s --start-period=30s --retries=3 CMD ["node", "dist/healthcheck.js"]
# node, not npm: SIGTERM from the container runtime reaches the bot, which stops gracefully.
# --optimize-for-size: V8 keeps a smaller young generation and grows the heap less eagerly. The bot's live
# heap is about 30 MB, and its speed is Slack's pace, not the CPU's. Measured in BENCHMARKS.md section 5:
# resident memory and CPU time, with and without the flag.
CMD ["node", "--optimize-for-size", "dist/main.js"]
