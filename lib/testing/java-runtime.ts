import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { LeaseError } from '../runtime/errors.js';

/** The oldest Java that runs the DynamoDB Local jar (its classes are Java 17 bytecode, class file version 61). */
export const MINIMUM_JAVA_VERSION = 17;

const INSTALL_HINT =
  'Install a JDK 17 or newer (the launcher is compiled on the fly, so a JRE alone is not enough): ' +
  '`apt-get install openjdk-17-jdk-headless` on Debian/Ubuntu, or Eclipse Temurin 17+ from https://adoptium.net. ' +
  'Then put `java` on PATH, set JAVA_HOME, or pass the `java` option.';

/** Why a Java runtime was rejected. */
export type JavaRuntimeProblem = 'not-found' | 'too-old' | 'no-compiler' | 'unusable';

/**
 * The Java needed to run DynamoDB Local is missing or unsuitable. The message
 * says what to install; the fields let a caller decide to skip instead of fail.
 */
export class JavaRuntimeError extends LeaseError {
  override readonly name = 'JavaRuntimeError';

  constructor(
    /** The `java` executable that was tried. */
    readonly java: string,
    /** What is wrong with it. */
    readonly problem: JavaRuntimeProblem,
    /** Feature version found (`11` for 11.0.2), when one could be read. */
    readonly foundVersion?: number,
    options?: ErrorOptions,
  ) {
    super(`${describe(java, problem, foundVersion)} ${INSTALL_HINT}`, options);
  }
}

function describe(java: string, problem: JavaRuntimeProblem, foundVersion?: number): string {
  switch (problem) {
    case 'not-found':
      return `DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION}+, but \`${java}\` was not found.`;
    case 'too-old':
      return `DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION}+, but \`${java}\` is Java ${foundVersion ?? '8 or older'}.`;
    case 'no-compiler':
      return `\`${java}\` is a Java runtime without the jdk.compiler module, which Baton's single-file launcher needs.`;
    case 'unusable':
      return `\`${java}\` could not be run to check its version.`;
  }
}

/** The `java` to use when none is given: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
export function defaultJavaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['JAVA_HOME'];
  return home ? join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java') : 'java';
}

// One probe per executable per process: starting several DynamoDB Locals
// should not pay for the JVM start of the probe each time.
const probes = new Map<string, Promise<void>>();

/**
 * Resolves when `java` is Java 17+ with the compiler module; rejects with a
 * {@link JavaRuntimeError} otherwise. The result is cached per executable.
 */
export function assertJavaRuntime(java: string): Promise<void> {
  let probe = probes.get(java);
  if (!probe) {
    probe = probeJava(java);
    probes.set(java, probe);
    // A failed probe is not cached: the user may install Java and retry.
    probe.catch(() => probes.delete(java));
  }
  return probe;
}

/**
 * `--list-modules` answers both questions in one JVM start: `java.base@<version>`
 * gives the version and `jdk.compiler@...` shows whether source mode will work.
 * Java 8 and older do not know the flag, which is itself the answer.
 */
function probeJava(java: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const answered = (error: Error | null, stdout: string, stderr: string): void => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new JavaRuntimeError(java, 'not-found', undefined, { cause: error }));
        return;
      }
      const version = /^java\.base@(\d+)/m.exec(stdout)?.[1];
      if (version === undefined) {
        const oldJava = /Unrecognized option: --list-modules/.test(stderr);
        reject(new JavaRuntimeError(java, oldJava ? 'too-old' : 'unusable', undefined, { cause: error ?? undefined }));
        return;
      }
      const major = Number(version);
      if (major < MINIMUM_JAVA_VERSION) {
        reject(new JavaRuntimeError(java, 'too-old', major));
      } else if (!/^jdk\.compiler@/m.test(stdout)) {
        reject(new JavaRuntimeError(java, 'no-compiler', major));
      } else {
        resolve();
      }
    };
    // Node throws some spawn failures instead of passing them to the callback (ENAMETOOLONG for a
    // path longer than the system allows): they too are a java that cannot be run.
    try {
      execFile(java, ['--list-modules'], { timeout: 15_000, windowsHide: true }, answered);
    } catch (error) {
      reject(new JavaRuntimeError(java, 'unusable', undefined, { cause: error }));
    }
  });
}
