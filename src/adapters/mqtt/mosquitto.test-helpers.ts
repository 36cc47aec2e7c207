import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { freePort } from '../free-port.ts';

export const mosquittoPath = '/usr/sbin/mosquitto';

/** Why a test that needs Mosquitto is skipped, or undefined when it is installed. */
export function mosquittoMissing(): string | undefined {
  return existsSync(mosquittoPath)
    ? undefined
    : `${mosquittoPath} is not installed (apt-get install mosquitto)`;
}

/**
 * Starts Mosquitto on a free loopback port (anonymous, no persistence; its configuration written in
 * `folder`) and resolves once it accepts MQTT connections. The caller kills `process`.
 */
export async function startMosquitto(folder: string): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const config = join(folder, 'mosquitto.conf');
  writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const process = spawn(mosquittoPath, ['-c', config], { stdio: 'ignore' });
  for (const deadline = Date.now() + 5_000; ;) {
    try {
      await (await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 })).endAsync();
      return { port, process };
    } catch (error) {
      if (Date.now() > deadline) {
        process.kill('SIGKILL');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
