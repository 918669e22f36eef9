/**
 * `relay-run --list`: the loaded operations as a plain-text table for people (name, method, path,
 * summary), then the configured presets.
 */
import type { PresetConfig } from './config.js';
import type { ApiTable } from './table.js';

/** The text `--list` prints: one line per operation, aligned columns, presets after. */
export function formatOperationList(tables: ApiTable[], presets: Record<string, PresetConfig> = {}): string {
  const rows = tables.flatMap((t) =>
    Object.keys(t.operations)
      .sort()
      .map((name) => {
        const op = t.operations[name]!;
        return [`${t.name}.${name}`, op.method.toUpperCase(), op.path, `${op.summary ?? ''}${op.deprecated ? ' (deprecated)' : ''}`];
      }),
  );
  const table = [['REQUEST', 'METHOD', 'PATH', 'SUMMARY'], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
  const names = Object.keys(presets).sort();
  if (names.length > 0) {
    lines.push('', 'PRESET -> REQUEST');
    for (const name of names) lines.push(`${name} -> ${presets[name]!.operation}`);
  }
  return `${lines.join('\n')}\n`;
}
