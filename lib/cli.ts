/**
 * Small helpers shared by the three command-line entry points: argument parsing with
 * `--help` and errors that name the bad option, and a uniform way to exit.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The parsed values of a set of options: booleans, strings, or arrays of them when `multiple`. */
export type OptionValues<O extends OptionsConfig> = {
  [K in keyof O]?: O[K] extends { type: 'boolean' }
    ? O[K] extends { multiple: true }
      ? boolean[]
      : boolean
    : O[K] extends { multiple: true }
      ? string[]
      : string;
};

/** A command's name, usage text and options. */
export interface CommandSpec<O extends OptionsConfig> {
  name: string;
  usage: string;
  options: O;
}

/** Thrown for bad command-line input; the entry point prints it with a pointer to --help. */
export class UsageError extends Error {}

/**
 * Parses argv with node:util's parseArgs (strict: unknown options are errors). Returns
 * undefined after printing the usage when --help was given.
 */
export function parseCommandLine<O extends OptionsConfig>(
  spec: CommandSpec<O>,
  argv: string[],
): OptionValues<O> | undefined {
  let values: OptionValues<O> & { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    }) as { values: OptionValues<O> & { help?: boolean } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(spec.usage);
    return undefined;
  }
  return values;
}

/** Runs an async main and exits: 0 on success, 2 on a usage error, 1 on any other error. */
export function runMain(name: string, main: () => Promise<number | undefined>): void {
  main().then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${name}: ${err.message}\nRun '${name} --help' for usage.\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    },
  );
}
