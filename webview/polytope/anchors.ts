/** Three sample indices for a 2-D slice, as typed by the user ("0, 1, 2"). */
export function parseAnchorsText(text: string): [number, number, number] | undefined {
  const parts = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (parts.length !== 3 || !parts.every((i) => Number.isInteger(i) && i >= 0) || new Set(parts).size !== 3) {
    return undefined;
  }
  return parts as [number, number, number];
}
