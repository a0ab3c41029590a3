/**
 * The largest width a media stage of this aspect ratio may take so that its height leaves
 * `reserveRem` of the viewport for what must stay on the first screen with it (app header, page
 * title, transport controls or rating buttons). On a 1280×720 laptop the player and its controls
 * are then visible together without scrolling. Never narrower than 12rem.
 */
export function stageMaxWidth(width: number | null | undefined, height: number | null | undefined, reserveRem: number): string {
  const ratio = width && height ? width / height : 1;
  return `min(100%, max(12rem, calc((100vh - ${reserveRem}rem) * ${Number(ratio.toFixed(4))})))`;
}
