/**
 * The Node flags a program's first line asks for: `#!/usr/bin/env -S node --flag …` gives
 * `['--flag', …]`. The sandbox starts programs with `node FILE`, which ignores that line, so it
 * passes these itself: a program runs here with the flags it has when run as a command (the
 * image's `mcs-bridge-syncer`, the chart's `command`).
 */
import { readFileSync } from 'node:fs';

/** The flags of a `#!` line that runs node through `env -S`; none for any other line. Pure. */
export function shebangNodeFlags(firstLine: string): string[] {
  const m = /^#!\s*\/usr\/bin\/env\s+-S\s+node((?:\s+\S+)*)\s*$/.exec(firstLine);
  return m?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/** The Node flags of the program in `file` (its first line), read once per call. */
export function programNodeFlags(file: string): string[] {
  const [firstLine = ''] = readFileSync(file, 'utf8').split('\n', 1);
  return shebangNodeFlags(firstLine);
}
