-- Soft deletion of datasets: samples go, the row stays (renamed) so that its models remain usable.
ALTER TABLE "datasets" ADD COLUMN "deleted_at" TIMESTAMP(3);

-- API tokens: only the sha256 of each token is stored.
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_tokens_hash_is_sha256" CHECK ("token_hash" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "api_tokens_scopes_known" CHECK ("scopes" <@ ARRAY['read', 'write', 'admin']::TEXT[] AND cardinality("scopes") > 0)
);

CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
