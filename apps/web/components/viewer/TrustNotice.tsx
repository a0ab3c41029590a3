'use client';

import { TRUST_RULES } from '@fep/shared/trust';

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** The rules behind the notice, in words, with the thresholds the API applies (packages/shared/src/trust.ts). */
export function TrustRulesHelp() {
  const R = TRUST_RULES;
  return (
    <ul className="list-disc space-y-1 pl-5" data-testid="trust-rules">
      <li>Low confidence: the top class has less than {pct(R.LOW_CONFIDENCE_BELOW)} probability.</li>
      <li>Near-uniform: the output's normalised entropy is {R.NEAR_UNIFORM_ENTROPY} or more (1 = all classes equally likely).</li>
      <li>
        Unlike the training data: the video's shorter side, frame rate or length is outside what the model's manifest states it was trained on by more than a factor of{' '}
        {R.RANGE_TOLERANCE} (aspect ratio: {R.ASPECT_TOLERANCE}), or a colour channel's mean is more than {R.PIXEL_MEAN_STDS} standard deviations from the model's
        normalisation mean, or its spread more than {R.PIXEL_STD_FACTOR}× above or below the model's.
      </li>
      <li>Suspicious: {pct(R.SATURATED_AT)} or more for one class on input unlike the training data — a saturated score there is a symptom, not evidence.</li>
    </ul>
  );
}

/** Why this prediction may not deserve trust (Explanation.trust); nothing when no rule applies. */
export function TrustNotice({ warnings }: { warnings: { code: string; message: string }[] }) {
  if (!warnings.length) return null;
  return (
    <div className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950" role="status" data-testid="trust-notice">
      <p className="font-semibold">Treat this prediction with care</p>
      <ul className="mt-1 list-disc space-y-1 pl-5">
        {warnings.map((w) => (
          <li key={w.code} data-code={w.code} data-testid="trust-warning">
            {w.message}
          </li>
        ))}
      </ul>
      <details className="mt-2">
        <summary className="cursor-pointer font-medium underline underline-offset-2">How these warnings are decided</summary>
        <div className="mt-1">
          <TrustRulesHelp />
          <p className="mt-1">The model's training data comes from its manifest (fep-model.json, trainingData); models without it get only the confidence checks.</p>
        </div>
      </details>
    </div>
  );
}
