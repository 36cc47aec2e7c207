import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { freePort } from '../free-port.ts';

export const mosquittoPath = '/usr/sbin/mosquitto';
const mosquittoPasswdPath = '/usr/bin/mosquitto_passwd';

/** Why a test that needs Mosquitto is skipped, or undefined when it is installed. */
export function mosquittoMissing(): string | undefined {
  return existsSync(mosquittoPath)
    ? undefined
    : `${mosquittoPath} is not installed (apt-get install mosquitto)`;
}

export interface MosquittoOptions {
  /** Listen on this port (to start a broker again where it was) instead of a free one. */
  port?: number;
  /** Users and passwords: anonymous clients are then refused. */
  users?: Record<string, string>;
  /** Listen with TLS only (mqtts://), with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string };
}

/**
 * A self-signed certificate for `localhost` and 127.0.0.1 made with openssl in `folder`, or
 * undefined when openssl is not installed.
 */
export function selfSignedCertificate(folder: string): { certFile: string; keyFile: string } | undefined {
  const [certFile, keyFile] = [join(folder, 'cert.pem'), join(folder, 'key.pem')];
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
      ].concat(['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']),
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return { certFile, keyFile };
}

/**
 * Starts Mosquitto on a free loopback port (anonymous unless `users` are given, no persistence;
 * its configuration written in `folder`) and resolves once it accepts MQTT connections. The
 * caller kills `process`.
 */
export async function startMosquitto(
  folder: string,
  options: MosquittoOptions = {},
): Promise<{ port: number; process: ChildProcess }> {
  const port = options.port ?? (await freePort());
  const config = join(folder, 'mosquitto.conf');
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false'];
  let login = {};
  if (options.tls !== undefined)
    lines.push(`certfile ${options.tls.certFile}`, `keyfile ${options.tls.keyFile}`);
  const users = Object.entries(options.users ?? {});
  if (users.length === 0) lines.push('allow_anonymous true');
  else {
    const passwords = join(folder, 'passwords');
    writeFileSync(passwords, '');
    for (const [user, password] of users)
      execFileSync(mosquittoPasswdPath, ['-b', passwords, user, password], { stdio: 'ignore' });
    lines.push('allow_anonymous false', `password_file ${passwords}`);
    login = { username: users[0]![0], password: users[0]![1] };
  }
  // Started as root, Mosquitto would run as user mosquitto, who cannot read the test's folder.
  if (process.getuid?.() === 0) lines.push('user root');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const scheme = options.tls === undefined ? 'mqtt' : 'mqtts';
  const child = spawn(mosquittoPath, ['-c', config], { stdio: 'ignore' });
  for (const deadline = Date.now() + 5_000; ;) {
    try {
      const probe = { reconnectPeriod: 0, rejectUnauthorized: false, ...login };
      await (await connectAsync(`${scheme}://127.0.0.1:${port}`, probe)).endAsync();
      return { port, process: child };
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
