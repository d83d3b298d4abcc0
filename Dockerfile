# syntax=docker/dockerfile:1
# registry-doctor: the Slack bot (web and worker roles) and the CLI, in one small image.
# Build:  docker build -t registry-doctor .
# Run:    docker run --env-file .env -p 3000:3000 registry-doctor            (web + worker in one process)
#         docker run --env-file .env registry-doctor node dist/main.js --role worker

ARG NODE_VERSION=24

# --- build: dev dependencies, TypeScript → dist/ -------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- run: production dependencies and dist/ only, as the unprivileged `node` user -----------------------
FROM node:${NODE_VERSION}-bookworm-slim AS run
ENV NODE_ENV=production \
    PORT=3000 \
    REGISTRY_DOCTOR_CONFIG=/app/registry-doctor.yml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# /healthz answers in every role (worker included). Node's fetch: no curl in the slim image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
