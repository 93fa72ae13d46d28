/** CSV cells as RFC 4180 writes them (shared by the views' exports and the host's). DOM-free. */
export function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
