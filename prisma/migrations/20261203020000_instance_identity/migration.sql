-- CreateTable
CREATE TABLE "InstanceIdentity" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "instanceId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstanceIdentity_pkey" PRIMARY KEY ("id")
);

-- One random id per database, written when the database is created (or migrated); the default
-- queue prefix derives from it, so deployments sharing a Redis never share a queue.
INSERT INTO "InstanceIdentity" ("id", "instanceId") VALUES (1, replace(gen_random_uuid()::text, '-', ''));
