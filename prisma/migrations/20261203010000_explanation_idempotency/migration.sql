-- requestExplanation's idempotency key: a retried submit returns the row its first attempt created.
-- NULLs are distinct in a PostgreSQL unique index, so requests without a key are unaffected.
ALTER TABLE "Explanation" ADD COLUMN "idempotencyKey" TEXT;

CREATE UNIQUE INDEX "Explanation_teamId_requestedById_idempotencyKey_key" ON "Explanation"("teamId", "requestedById", "idempotencyKey");
