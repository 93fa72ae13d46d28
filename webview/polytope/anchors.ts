/** Three sample indices for a 2-D slice, as typed by the user ("0, 1, 2"). */
export function parseAnchorsText(text: string): [number, number, number] | undefined {
  return anchorsOf(
    text
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number),
  );
}

/** The anchors of a slice: exactly three different non-negative integers (sample rows). */
export function anchorsOf(parts: readonly number[]): [number, number, number] | undefined {
  if (parts.length !== 3 || !parts.every((i) => Number.isInteger(i) && i >= 0) || new Set(parts).size !== 3) {
    return undefined;
  }
  return [parts[0], parts[1], parts[2]];
}
