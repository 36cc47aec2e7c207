/** Subjects and names the cluster shares. Readings of shard `n` go to `<prefix>.readings.<n>`. */
export interface StreamLayout {
  /** JetStream stream holding accepted readings. */
  stream: string;
  /** Subject prefix; the stream takes `<prefix>.readings.*`. */
  prefix: string;
  /** Number of sensor shards (fixed for the life of the stream). */
  shards: number;
}

export const defaultLayout: StreamLayout = { stream: 'UB_READINGS', prefix: 'urban-brain', shards: 16 };

export function readingSubject(layout: StreamLayout, shard: number): string {
  return `${layout.prefix}.readings.${shard}`;
}

/** FNV-1a over the UTF-16 code units of a sensor id: stable across processes and machines. */
export function shardOf(sensor: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < sensor.length; index += 1) {
    hash ^= sensor.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
