#!/usr/bin/env bash
# Regenerates the TypeScript client from the API's OpenAPI document: the API's test writes its
# current document to api/client-typescript/openapi.json, openapi-typescript turns it into
# src/schema.d.ts, and the client's own tests run against the API under test.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q install -DskipTests -pl common
./mvnw -B verify -pl common,api -DskipITs -Dpulse.client.regenerate=true \
  -Dtest=TypeScriptClientTest#theCommittedDocumentIsTheApisOwn -Dsurefire.failIfNoSpecifiedTests=false
cd api/client-typescript
npm ci --no-audit --no-fund
npm run generate
echo "[client-typescript] regenerated openapi.json and src/schema.d.ts; commit both"
