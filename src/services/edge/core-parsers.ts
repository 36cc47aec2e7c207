import { parseJsonBatch } from '../../core/ingest/json-batch.ts';
import { parseLineProtocol } from '../../core/ingest/line-protocol.ts';
import { parseSenml } from '../../core/ingest/senml.ts';
import { resolveValidationOptions, type ValidationOptions } from '../../core/ingest/validation.ts';
import type { BatchParsers } from './parsers.ts';

/** The parsers of `src/core/ingest/` with the server's validation limits. */
export function coreParsers(limits: Partial<ValidationOptions> = {}): BatchParsers {
  const options = resolveValidationOptions(limits);
  return {
    json: (text, nowMillis, sensor) => parseJsonBatch(text, nowMillis, options, sensor),
    senml: (text, nowMillis) => parseSenml(text, nowMillis, options),
    lineProtocol: (text, precision, nowMillis) => parseLineProtocol(text, precision, nowMillis, options),
  };
}
