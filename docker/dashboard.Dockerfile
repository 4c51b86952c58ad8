# syntax=docker/dockerfile:1.7
# The Next.js dashboard as a self-contained server (Next's standalone output). From the repository root:
#   docker build -f docker/dashboard.Dockerfile -t tern/dashboard:0.1.0 .
# It talks only to the api: set TERN_API_URL (e.g. http://api:8080).

ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Build tooling (TypeScript, types) is needed to build; none of it reaches the runtime image.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1 TERN_DASHBOARD_STANDALONE=1
COPY tsconfig.base.json ./
COPY libs/contracts ./libs/contracts
COPY apps/dashboard ./apps/dashboard
RUN npx next build apps/dashboard

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 TERN_API_URL=http://api:8080
WORKDIR /app
RUN groupadd --gid 10001 tern && useradd --uid 10001 --gid tern --no-create-home --shell /usr/sbin/nologin tern
COPY --from=build /app/apps/dashboard/.next/standalone ./
COPY --from=build /app/apps/dashboard/.next/static ./apps/dashboard/.next/static
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/dashboard/server.js"]
