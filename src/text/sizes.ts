/** Sizes in words. Pure; tested in test/unit/outputBudget.unit.test.ts. */

/**
 * A count of characters as the notes print it: "812 KB", "4.2 MB", "41 MB". Output is
 * mostly ASCII, so characters stand in for bytes; the note is about scale.
 */
export function formatSize(chars: number): string {
  const units: [number, string][] = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (chars >= size) {
      const v = chars / size;
      return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${unit}`;
    }
  }
  return `${chars} characters`;
}
