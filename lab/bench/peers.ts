import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_PACKAGES, type PeerPackage } from './registry.js';

/**
 * Where the peer libraries live: a folder with its own package.json and lock
 * file, so the project's `npm install` never pulls them (or their aws-sdk v2
 * peer) in. See docs/decisions/bench-peers.md.
 */
export const PEERS_DIR = fileURLToPath(new URL('./peers/', import.meta.url));

/** The loaded peers and the versions that were loaded. */
export interface Peers {
  /** `require(name)` of each peer, resolved inside {@link PEERS_DIR} only. */
  readonly modules: Readonly<Record<PeerPackage, unknown>>;
  readonly versions: Readonly<Record<PeerPackage, string>>;
}

export interface LoadPeersOptions {
  /** Run `npm ci` in {@link PEERS_DIR} when a peer is missing or not the locked version. */
  readonly install: boolean;
  /** Progress lines (the install's own output goes to stderr). */
  readonly log: (line: string) => void;
}

/** Thrown when the peers are missing and may not be installed, or the install failed. */
export class PeersUnavailableError extends Error {
  override readonly name = 'PeersUnavailableError';
}

/**
 * Loads the peers from {@link PEERS_DIR}, first installing them exactly as
 * locked (`npm ci`) when they are missing or differ from the lock file and
 * `install` is allowed. Needs the npm registry only on that first run.
 */
export async function loadPeers(options: LoadPeersOptions): Promise<Peers> {
  let problems = checkInstalled();
  if (problems.length > 0) {
    const command = installCommand();
    if (!options.install) {
      throw new PeersUnavailableError(
        `the bench's peer libraries are not installed (${problems.join('; ')}).\n` +
          `Install them with: ${command.display}\n(or run the bench without --no-install, which does this itself)`,
      );
    }
    options.log(`installing the peer libraries (${problems.join('; ')}): ${command.display}`);
    await runInstall(command);
    problems = checkInstalled();
    if (problems.length > 0) throw new PeersUnavailableError(`after ${command.display}: ${problems.join('; ')}`);
  }
  const require = createRequire(join(PEERS_DIR, 'package.json'));
  const modules = Object.fromEntries(PEER_PACKAGES.map((name) => [name, require(name) as unknown])) as Record<
    PeerPackage,
    unknown
  >;
  return { modules, versions: lockedVersions() };
}

/** The version of each peer that the lock file pins. */
function lockedVersions(): Record<PeerPackage, string> {
  const lock = JSON.parse(readFileSync(join(PEERS_DIR, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string }>;
  };
  const versions = {} as Record<PeerPackage, string>;
  for (const name of PEER_PACKAGES) {
    const version = lock.packages?.[`node_modules/${name}`]?.version;
    if (!version) throw new PeersUnavailableError(`${join(PEERS_DIR, 'package-lock.json')} does not pin ${name}`);
    versions[name] = version;
  }
  return versions;
}

/** What is wrong with the installed peers, or nothing. */
function checkInstalled(): string[] {
  const locked = lockedVersions();
  const require = createRequire(join(PEERS_DIR, 'package.json'));
  const ownModules = join(PEERS_DIR, 'node_modules') + sep;
  const problems: string[] = [];
  for (const name of PEER_PACKAGES) {
    let manifest: string;
    try {
      manifest = require.resolve(`${name}/package.json`);
    } catch {
      problems.push(`${name} missing`);
      continue;
    }
    // Node's lookup climbs to the project's node_modules; only the isolated copy counts.
    if (!manifest.startsWith(ownModules)) {
      problems.push(`${name} found only outside the peers folder`);
      continue;
    }
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    if (version !== locked[name]) problems.push(`${name} is ${version}, the lock file wants ${locked[name]}`);
  }
  return problems;
}

interface InstallCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly display: string;
}

function installCommand(): InstallCommand {
  const root = join(PEERS_DIR, '..', '..', '..');
  const fromRoot = `npm ci --prefix ${relative(root, PEERS_DIR).split(sep).join('/')} --legacy-peer-deps`;
  // --legacy-peer-deps is also in the folder's .npmrc: dynamodb-lock-client's
  // required aws-sdk v2 peer must not be installed (the bench adapts v3 instead).
  const args = ['ci', '--prefix', PEERS_DIR, '--legacy-peer-deps', '--no-audit', '--no-fund'];
  return {
    file: process.platform === 'win32' ? 'npm.cmd' : 'npm',
    args,
    display: relative(root, process.cwd()) === '' ? fromRoot : `(cd ${root} && ${fromRoot})`,
  };
}

function runInstall(command: InstallCommand): Promise<void> {
  if (!existsSync(join(PEERS_DIR, 'package-lock.json'))) {
    return Promise.reject(new PeersUnavailableError(`no package-lock.json in ${PEERS_DIR}`));
  }
  return new Promise<void>((resolve, reject) => {
    // npm's output goes to stderr, keeping stdout for the bench's table.
    const child = spawn(command.file, [...command.args], { stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', (error) =>
      reject(new PeersUnavailableError(`could not run ${command.display}: ${error.message}`, { cause: error })),
    );
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new PeersUnavailableError(
            `${command.display} failed (${signal ?? `exit code ${String(code)}`}); is the npm registry reachable?`,
          ),
        );
    });
  });
}
