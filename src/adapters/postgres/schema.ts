/** Tables of the scaled-out registry, keys and maintenance records (PostgreSQL 15). Idempotent. */
export const schemaStatements: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS assets (id text PRIMARY KEY, type text NOT NULL, name text NOT NULL,
     lat double precision, lon double precision, tags jsonb NOT NULL DEFAULT '{}')`,
  `CREATE TABLE IF NOT EXISTS sensors (id text PRIMARY KEY, kind text NOT NULL, unit text NOT NULL, asset text,
     lat double precision, lon double precision, tags jsonb NOT NULL DEFAULT '{}')`,
  `CREATE INDEX IF NOT EXISTS sensors_asset ON sensors (asset)`,
  `CREATE TABLE IF NOT EXISTS api_keys (id text PRIMARY KEY, name text NOT NULL, role text NOT NULL,
     hash text NOT NULL UNIQUE, created_millis bigint NOT NULL, revoked_millis bigint)`,
  // A key's sensor scope (JSON array; NULL: every sensor), added to tables made before scopes existed.
  `ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS sensors jsonb`,
  // When a key stops working (epoch ms; null: never); added to databases made before keys expired.
  `ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS expires_millis bigint`,
  `CREATE TABLE IF NOT EXISTS work_orders (id text PRIMARY KEY, asset text NOT NULL, status text NOT NULL,
     last_alert_at bigint NOT NULL, doc jsonb NOT NULL)`,
  // One active order per asset, whichever processor raised the alert.
  `CREATE UNIQUE INDEX IF NOT EXISTS work_orders_one_active ON work_orders (asset)
     WHERE status IN ('open', 'acknowledged')`,
  // A re-processed reading raises the same (sensor, ts) alert again: it is recorded once.
  `CREATE TABLE IF NOT EXISTS alerts (id text PRIMARY KEY, sensor text NOT NULL, ts bigint NOT NULL,
     asset text NOT NULL, work_order text NOT NULL, doc jsonb NOT NULL, UNIQUE (sensor, ts))`,
  `CREATE INDEX IF NOT EXISTS alerts_asset_ts ON alerts (asset, ts DESC)`,
  // Emergency queues, shared by every API process: seen by level, then arrival, then entry.
  `CREATE TABLE IF NOT EXISTS emergency_queue (hospital text NOT NULL, patient text NOT NULL,
     level smallint NOT NULL CHECK (level BETWEEN 1 AND 5), arrival_millis double precision NOT NULL,
     seq bigserial NOT NULL, PRIMARY KEY (hospital, patient))`,
  `CREATE INDEX IF NOT EXISTS emergency_queue_order ON emergency_queue (hospital, level, arrival_millis, seq)`,
  // Patients called in, kept while they count in treatment: every API process counts the same calls.
  `CREATE TABLE IF NOT EXISTS emergency_calls (seq bigserial PRIMARY KEY, hospital text NOT NULL,
     patient text NOT NULL, level smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
     arrival_millis double precision NOT NULL, called_millis double precision NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS emergency_calls_time ON emergency_calls (called_millis)`,
  // Ambulances en route, shared by every API process: counted by destination choice until they arrive.
  `CREATE TABLE IF NOT EXISTS ambulance_trips (id text PRIMARY KEY, hospital text NOT NULL,
     level smallint NOT NULL CHECK (level BETWEEN 1 AND 5), sent_millis double precision NOT NULL,
     until_millis double precision NOT NULL, seq bigserial NOT NULL)`,
  // Expected arrival, added to databases made before it (their trips have none: NULL).
  `ALTER TABLE ambulance_trips ADD COLUMN IF NOT EXISTS arrives_millis double precision`,
];
