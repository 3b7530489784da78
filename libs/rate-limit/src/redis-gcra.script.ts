import { createHash } from 'node:crypto';
import { TIME_EPSILON_MS } from './rate-limit.constants.js';

/**
 * GCRA, all-or-nothing over every key of one message, in one atomic Lua script (the same
 * two phases as `MemoryStore.consume`, gcra.ts).
 *
 *   KEYS[i]                 one key per check: prefix .. rule.id .. '|' .. key
 *   ARGV[2i-1], ARGV[2i]    the check's emission interval T and tolerance tau (ms)
 *
 * Time is the Redis server's clock (TIME), never the caller's: every instance then judges
 * every key against one clock, whatever the skew between their hosts, and the caller's
 * `performance.now()` (monotonic, per process) means nothing to another process anyway.
 *
 * Returns 0 when every check conforms (each TAT advanced, with a PX expiry equal to its
 * distance from now, at most tau + T: a key is dropped exactly when its bucket is full again,
 * i.e. when it is equivalent to a fresh key). Otherwise nothing is written and the reply is
 * the wait of each check in ms ('0' for a conforming one), as strings so the fractions
 * survive (a Lua number becomes an integer reply). TATs are written with 17 significant
 * digits: a double round-trips exactly and 1000/3 ms steps lose nothing.
 */
export const GCRA_SCRIPT = `
if redis.replicate_commands ~= nil then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local n = #KEYS
local nexts = {}
local waits = {}
local denied = 0
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat == nil or tat < now then tat = now end
  local wait = tat - tonumber(ARGV[2 * i]) - now
  if wait > ${TIME_EPSILON_MS} then
    denied = denied + 1
    waits[i] = string.format('%.17g', wait)
  else
    waits[i] = '0'
    nexts[i] = tat + tonumber(ARGV[2 * i - 1])
  end
end
if denied > 0 then return waits end
for i = 1, n do
  local ttl = math.ceil(nexts[i] - now)
  if ttl < 1 then ttl = 1 end
  redis.call('SET', KEYS[i], string.format('%.17g', nexts[i]), 'PX', ttl)
end
return 0
`;

/** SHA1 of the script, for EVALSHA (EVAL on NOSCRIPT loads it). */
export const GCRA_SCRIPT_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');
