-- Initial Tern schema: datasets, samples, base models, the embedding cache, jobs, trained models.
-- CreateSchema

-- CreateEnum
CREATE TYPE "Split" AS ENUM ('train', 'validation', 'test');

-- CreateEnum
CREATE TYPE "JobType" AS ENUM ('extraction', 'head_training', 'fine_tuning', 'pipeline', 'retraining');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "ModelKind" AS ENUM ('head', 'fine_tuned');

-- CreateEnum
CREATE TYPE "BaseModelFormat" AS ENUM ('layers', 'graph');

-- CreateTable
CREATE TABLE "datasets" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dataset_classes" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dataset_classes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "samples" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "class_id" UUID,
    "content_hash" TEXT NOT NULL,
    "media_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "width" INTEGER,
    "height" INTEGER,
    "storage_uri" TEXT NOT NULL,
    "original_name" TEXT,
    "split" "Split" NOT NULL DEFAULT 'train',
    "source" TEXT NOT NULL DEFAULT 'upload',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "samples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "base_models" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "format" "BaseModelFormat" NOT NULL,
    "input_height" INTEGER NOT NULL,
    "input_width" INTEGER NOT NULL,
    "input_channels" INTEGER NOT NULL DEFAULT 3,
    "preprocessing" JSONB NOT NULL,
    "embedding_layer" TEXT NOT NULL,
    "embedding_size" INTEGER NOT NULL,
    "extractable_layers" JSONB NOT NULL,
    "weights_hash" TEXT NOT NULL,
    "fine_tunable" BOOLEAN NOT NULL DEFAULT false,
    "artifact_uri" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "base_models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "embeddings" (
    "id" BIGSERIAL NOT NULL,
    "base_model_name" TEXT NOT NULL,
    "base_model_version" TEXT NOT NULL,
    "layer" TEXT NOT NULL,
    "preprocessing" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "dim" INTEGER NOT NULL,
    "vector" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embeddings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL,
    "type" "JobType" NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "dataset_id" UUID,
    "parent_job_id" UUID,
    "parameters" JSONB NOT NULL,
    "progress" JSONB,
    "result" JSONB,
    "error" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMP(3),
    "heartbeat_at" TIMESTAMP(3),
    "cancel_requested_at" TIMESTAMP(3),
    "correlation_id" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trained_models" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" "ModelKind" NOT NULL,
    "job_id" UUID,
    "parent_model_id" UUID,
    "base_model_id" UUID NOT NULL,
    "embedding_layer" TEXT NOT NULL,
    "labels" TEXT[],
    "config" JSONB NOT NULL,
    "metrics" JSONB NOT NULL,
    "test_accuracy" DOUBLE PRECISION,
    "artifact_uri" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'registered',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trained_models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_aliases" (
    "dataset_id" UUID NOT NULL,
    "alias" TEXT NOT NULL,
    "model_id" UUID NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "model_aliases_pkey" PRIMARY KEY ("dataset_id","alias")
);

-- CreateTable
CREATE TABLE "training_metrics" (
    "id" BIGSERIAL NOT NULL,
    "job_id" UUID NOT NULL,
    "model_id" UUID,
    "stage" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "loss" DOUBLE PRECISION NOT NULL,
    "accuracy" DOUBLE PRECISION NOT NULL,
    "val_loss" DOUBLE PRECISION,
    "val_accuracy" DOUBLE PRECISION,
    "duration_ms" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "datasets_name_key" ON "datasets"("name");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_classes_dataset_id_name_key" ON "dataset_classes"("dataset_id", "name");

-- CreateIndex
CREATE INDEX "samples_dataset_id_split_idx" ON "samples"("dataset_id", "split");

-- CreateIndex
CREATE INDEX "samples_class_id_idx" ON "samples"("class_id");

-- CreateIndex
CREATE INDEX "samples_content_hash_idx" ON "samples"("content_hash");

-- CreateIndex
CREATE UNIQUE INDEX "samples_dataset_id_content_hash_key" ON "samples"("dataset_id", "content_hash");

-- CreateIndex
CREATE UNIQUE INDEX "base_models_name_version_key" ON "base_models"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "embeddings_cache_key" ON "embeddings"("base_model_name", "base_model_version", "layer", "preprocessing", "content_hash");

-- CreateIndex
CREATE UNIQUE INDEX "jobs_idempotency_key_key" ON "jobs"("idempotency_key");

-- CreateIndex
CREATE INDEX "jobs_status_lease_expires_at_idx" ON "jobs"("status", "lease_expires_at");

-- CreateIndex
CREATE INDEX "jobs_dataset_id_created_at_idx" ON "jobs"("dataset_id", "created_at");

-- CreateIndex
CREATE INDEX "jobs_parent_job_id_idx" ON "jobs"("parent_job_id");

-- CreateIndex
CREATE INDEX "jobs_correlation_id_idx" ON "jobs"("correlation_id");

-- CreateIndex
CREATE INDEX "trained_models_dataset_id_created_at_idx" ON "trained_models"("dataset_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "trained_models_dataset_id_version_key" ON "trained_models"("dataset_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "trained_models_job_id_kind_key" ON "trained_models"("job_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "training_metrics_job_id_stage_epoch_key" ON "training_metrics"("job_id", "stage", "epoch");

-- AddForeignKey
ALTER TABLE "dataset_classes" ADD CONSTRAINT "dataset_classes_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "samples" ADD CONSTRAINT "samples_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "samples" ADD CONSTRAINT "samples_class_id_fkey" FOREIGN KEY ("class_id") REFERENCES "dataset_classes"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "embeddings" ADD CONSTRAINT "embeddings_base_model_name_base_model_version_fkey" FOREIGN KEY ("base_model_name", "base_model_version") REFERENCES "base_models"("name", "version") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_parent_job_id_fkey" FOREIGN KEY ("parent_job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trained_models" ADD CONSTRAINT "trained_models_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trained_models" ADD CONSTRAINT "trained_models_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trained_models" ADD CONSTRAINT "trained_models_base_model_id_fkey" FOREIGN KEY ("base_model_id") REFERENCES "base_models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trained_models" ADD CONSTRAINT "trained_models_parent_model_id_fkey" FOREIGN KEY ("parent_model_id") REFERENCES "trained_models"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "trained_models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_metrics" ADD CONSTRAINT "training_metrics_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_metrics" ADD CONSTRAINT "training_metrics_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "trained_models"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Guards Prisma cannot express: the database itself rejects corrupt cache rows and hashes.
ALTER TABLE "samples" ADD CONSTRAINT "samples_content_hash_sha256" CHECK ("content_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "samples" ADD CONSTRAINT "samples_size_positive" CHECK ("size_bytes" > 0);
ALTER TABLE "embeddings" ADD CONSTRAINT "embeddings_content_hash_sha256" CHECK ("content_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "embeddings" ADD CONSTRAINT "embeddings_vector_length" CHECK ("dim" > 0 AND octet_length("vector") = "dim" * 4);
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_attempt_bounds" CHECK ("attempt" >= 0 AND "max_attempts" >= 1);
ALTER TABLE "training_metrics" ADD CONSTRAINT "training_metrics_epoch_nonnegative" CHECK ("epoch" >= 0);
