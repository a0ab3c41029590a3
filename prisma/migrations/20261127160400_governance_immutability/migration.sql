-- Provenance and results of an explanation are immutable once written: the database refuses
-- any change to them (retention may only set "saliencyDeletedAt"). A superuser bypassing the
-- trigger is still caught: the completion audit event records the provenance's sha256.
CREATE OR REPLACE FUNCTION "explanation_results_immutable"() RETURNS trigger AS $$
BEGIN
  IF OLD."provenance" IS NOT NULL AND (
       NEW."provenance" IS DISTINCT FROM OLD."provenance"
    OR NEW."provenanceSha256" IS DISTINCT FROM OLD."provenanceSha256"
    OR NEW."saliencySha256" IS DISTINCT FROM OLD."saliencySha256"
    OR NEW."metrics" IS DISTINCT FROM OLD."metrics"
    OR NEW."prediction" IS DISTINCT FROM OLD."prediction"
    OR NEW."params" IS DISTINCT FROM OLD."params"
    OR NEW."status" IS DISTINCT FROM OLD."status") THEN
    RAISE EXCEPTION 'Explanation % is final: its provenance and results are immutable', OLD."id"
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "explanation_results_immutable"
  BEFORE UPDATE ON "Explanation"
  FOR EACH ROW EXECUTE FUNCTION "explanation_results_immutable"();

-- A model version is immutable once an explanation uses it: what produced an explanation must
-- stay exactly what the registry says.
CREATE OR REPLACE FUNCTION "model_version_immutable"() RETURNS trigger AS $$
BEGIN
  IF (NEW."name" IS DISTINCT FROM OLD."name"
    OR NEW."version" IS DISTINCT FROM OLD."version"
    OR NEW."format" IS DISTINCT FROM OLD."format"
    OR NEW."manifest" IS DISTINCT FROM OLD."manifest"
    OR NEW."labels" IS DISTINCT FROM OLD."labels"
    OR NEW."weightsSha256" IS DISTINCT FROM OLD."weightsSha256"
    OR NEW."archiveSha256" IS DISTINCT FROM OLD."archiveSha256")
    AND EXISTS (SELECT 1 FROM "Explanation" WHERE "modelId" = OLD."id") THEN
    RAISE EXCEPTION 'Model % is used by explanations: this version is immutable; register a new version', OLD."id"
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "model_version_immutable"
  BEFORE UPDATE ON "Model"
  FOR EACH ROW EXECUTE FUNCTION "model_version_immutable"();
