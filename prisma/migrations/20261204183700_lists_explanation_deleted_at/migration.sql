-- Explanations of a deleted video leave the team's lists with it (soft delete, like Video.deletedAt).
ALTER TABLE "Explanation" ADD COLUMN "deletedAt" TIMESTAMP(3);
