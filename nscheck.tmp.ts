import { connect } from 'nats';
const nc = await connect({ servers: '127.0.0.1:21223' });
const jsm = await nc.jetstreamManager({ timeout: 10000 });
for await (const c of jsm.consumers.list('UB_READINGS')) console.log(c.name, 'pending', c.num_pending, 'ackpending', c.num_ack_pending, 'redeliv', c.num_redelivered, 'waiting', c.num_waiting, 'floor', c.ack_floor.stream_seq);
const i = await jsm.streams.info('KV_urban_brain_leases', { subjects_filter: '$KV.urban_brain_leases.>' });
for (const s of Object.keys(i.state.subjects ?? {}).sort()) { const m = await jsm.streams.getMessage('KV_urban_brain_leases', { last_by_subj: s }); console.log(s.slice(24), new TextDecoder().decode(m.data), m.header?.get('KV-Operation') ?? '', m.time.toISOString().slice(11, 19)); }
await nc.close();
