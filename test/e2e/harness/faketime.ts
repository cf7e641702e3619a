/**
 * A wall clock that the test steps while the process runs, and a monotonic clock left alone:
 * Debian's libfaketime, preloaded into the process, reads the offset from a file at every call
 * (FAKETIME_NO_CACHE) and leaves CLOCK_MONOTONIC real (FAKETIME_DONT_FAKE_MONOTONIC), as an NTP
 * step or a VM resumed from a snapshot would. No root needed. `make test-e2e` installs the
 * package (faketime).
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The multi-threaded variant: Node runs threads of its own. */
const LIBRARY = 'libfaketimeMT.so.1';

/** Finds libfaketime under /usr/lib (its folder is named by the architecture). */
async function findLibrary(): Promise<string> {
  const roots = ['/usr/lib', '/usr/lib64'];
  for (const root of roots) {
    const dirs = await readdir(root).catch(() => [] as string[]);
    for (const d of ['', ...dirs]) {
      const dir = path.join(root, d, 'faketime');
      if ((await readdir(dir).catch(() => [] as string[])).includes(LIBRARY)) return path.join(dir, LIBRARY);
    }
  }
  throw new Error(
    `${LIBRARY} not found under ${roots.join(', ')}: install Debian's faketime package (make test-e2e does, as root)`,
  );
}

/** A process's wall clock, set by `offsetFile`. */
export interface SteppableClock {
  /** The environment that makes a process run on this clock. */
  env: Record<string, string>;
  /** Sets the clock `seconds` off the real one (negative: behind), from the next clock read on. */
  setOffset(seconds: number): Promise<void>;
}

/** A wall clock at the real time until {@link SteppableClock.setOffset}; its file lives in `dir`. */
export async function steppableClock(dir: string, name: string): Promise<SteppableClock> {
  const offsetFile = path.join(dir, `${name}.faketime`);
  const setOffset = async (seconds: number) =>
    writeFile(offsetFile, `${seconds >= 0 ? '+' : ''}${seconds}s\n`);
  await setOffset(0);
  return {
    env: {
      LD_PRELOAD: await findLibrary(),
      FAKETIME_TIMESTAMP_FILE: offsetFile,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    setOffset,
  };
}
