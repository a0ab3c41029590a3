-- Scoped API tokens. Existing tokens become READ: the least privilege; their owners
-- create a WRITE or ADMIN token where an integration needs one.
CREATE TYPE "TokenScope" AS ENUM ('READ', 'WRITE', 'ADMIN');

ALTER TABLE "ApiToken" ADD COLUMN "scope" "TokenScope" NOT NULL DEFAULT 'READ';
