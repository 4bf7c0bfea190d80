//! The Lua scripts of [`RedisTaskBackend`](crate::RedisTaskBackend): each step on a task is one
//! script, so that it is atomic (limits, status changes and the wake-ups they cause).
//!
//! A task's hash holds `task` (its JSON at creation), `status`, `updated`, `inst` (the instance
//! running it), `pending` (how many input requests are unanswered), the owner (`owned`, `os`,
//! `oc`), `principal`, and as its state demands `result`, `error`, `q:<key>` (a pending input
//! request), `a:<key>` (an answer come in) and `answers` (all of them, for the runner to take).
//! `<key>` is the input key as a JSON string, so that answers are joined into a JSON object
//! without decoding any value in Lua.

/// The time on the Redis server in microseconds (one clock for every instance, and fine enough
/// that the tasks of a principal sort in the order they were created), and a function
/// that loads a task's hash, reporting a task whose instance stopped as `failed`.
/// `ARGV[1]` is the key prefix, `ARGV[2]` the timestamp to record, `ARGV[3]` the error (JSON).
macro_rules! prelude {
    () => {
        r"
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function ended(s)
  return s == 'completed' or s == 'failed' or s == 'cancelled'
end
-- Whether the task in `key` still runs on an instance that is gone.
local function orphaned(key)
  local f = redis.call('HMGET', key, 'status', 'inst')
  return f[1] and not ended(f[1]) and redis.call('EXISTS', ARGV[1] .. 'i:' .. f[2]) == 0
end
local function load(key)
  if orphaned(key) then
    redis.call('HSET', key, 'status', 'failed', 'updated', ARGV[2], 'error', ARGV[3], 'pending', 0)
  end
  return redis.call('HGETALL', key)
end
-- Drop the pending requests and answers of `key`.
local function clear_input(key)
  for _, f in ipairs(redis.call('HKEYS', key)) do
    local p = string.sub(f, 1, 2)
    if p == 'q:' or p == 'a:' or f == 'answers' then redis.call('HDEL', key, f) end
  end
end
"
    };
}

/// Creates a task within the limits. KEYS: task, all tasks (sorted by expiry, in microseconds),
/// the principal's tasks (the same), the instance's liveness key. ARGV: prefix, timestamp, error
/// for an orphan, id, TTL ms, max tasks, max per principal (0: no principal), task JSON,
/// instance, liveness TTL ms, principal, owned (`1` or empty), subject, client.
/// Answers `ok`, `full` or `principal`.
pub(crate) const CREATE: &str = concat!(
    prelude!(),
    r"
local now = now_us()
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local per = tonumber(ARGV[7])
if per > 0 and redis.call('ZCARD', KEYS[3]) >= per then
  -- The principal's oldest finished task makes room (a task whose instance is gone counts as
  -- finished: it failed); its record goes.
  local room = false
  for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    local key = ARGV[1] .. 't:' .. id
    local s = redis.call('HGET', key, 'status')
    if not s or ended(s) or orphaned(key) then
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[3], id)
      redis.call('ZREM', KEYS[2], id)
      room = true
      break
    end
  end
  if not room then return 'principal' end
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return 'full' end
redis.call('SET', KEYS[4], '1', 'PX', ARGV[10])
redis.call('HSET', KEYS[1], 'task', ARGV[8], 'status', 'working', 'updated', ARGV[2], 'inst', ARGV[9], 'pending', 0)
if ARGV[11] ~= '' then redis.call('HSET', KEYS[1], 'principal', ARGV[11]) end
if ARGV[12] ~= '' then redis.call('HSET', KEYS[1], 'owned', '1', 'os', ARGV[13], 'oc', ARGV[14]) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local expires = now + tonumber(ARGV[5]) * 1000
for i = 2, 3 do
  redis.call('ZADD', KEYS[i], expires, ARGV[4])
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
end
return 'ok'
"
);

/// A task's hash (empty when it is gone). KEYS: task. ARGV: prefix, timestamp, error for an orphan.
pub(crate) const GET: &str = concat!(prelude!(), "return load(KEYS[1])\n");

/// A page of a principal's live tasks, as hashes. KEYS: the principal's tasks. ARGV: prefix,
/// timestamp, error for an orphan, first index, count. Answers the total, then the hashes.
pub(crate) const LIST: &str = concat!(
    prelude!(),
    r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_us())
local first = tonumber(ARGV[4])
local page = {redis.call('ZCARD', KEYS[1])}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], first, first + tonumber(ARGV[5]) - 1)) do
  table.insert(page, load(ARGV[1] .. 't:' .. id))
end
return page
"
);

/// Records how a task's work ended, unless it already ended. KEYS: task. ARGV: prefix,
/// timestamp, (unused), status, field (`result` or `error`), JSON.
pub(crate) const FINISH: &str = concat!(
    prelude!(),
    r"
local s = redis.call('HGET', KEYS[1], 'status')
if not s or ended(s) then return 0 end
clear_input(KEYS[1])
redis.call('HSET', KEYS[1], 'status', ARGV[4], ARGV[5], ARGV[6], 'updated', ARGV[2], 'pending', 0)
return 1
"
);

/// Parks a working task on input requests. KEYS: task. ARGV: prefix, timestamp, (unused), then
/// pairs of key (JSON) and request (JSON). Answers `ok`, or the status that refused it (`gone`).
pub(crate) const ASK: &str = concat!(
    prelude!(),
    r"
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return 'gone' end
if s ~= 'working' then return s end
redis.call('HDEL', KEYS[1], 'answers')
local n = 0
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], 'q:' .. ARGV[i], ARGV[i + 1])
  n = n + 1
end
redis.call('HSET', KEYS[1], 'status', 'input_required', 'updated', ARGV[2], 'pending', n)
return 'ok'
"
);

/// Takes answers to pending requests; the last one joins them in `answers`, makes the task
/// `working` and wakes its instance. KEYS: task. ARGV: prefix, timestamp, (unused), id, then
/// pairs of key (JSON) and answer (JSON). Answers 2 when the task resumes.
pub(crate) const ANSWER: &str = concat!(
    prelude!(),
    r"
if redis.call('HGET', KEYS[1], 'status') ~= 'input_required' then return 0 end
local left = tonumber(redis.call('HGET', KEYS[1], 'pending'))
for i = 5, #ARGV, 2 do
  if redis.call('HDEL', KEYS[1], 'q:' .. ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], 'a:' .. ARGV[i], ARGV[i + 1])
    left = left - 1
  end
end
redis.call('HSET', KEYS[1], 'pending', left)
if left > 0 then return 1 end
local parts = {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 2) == 'a:' then
    table.insert(parts, string.sub(fields[i], 3) .. ':' .. fields[i + 1])
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
redis.call('HSET', KEYS[1], 'status', 'working', 'updated', ARGV[2], 'answers', '{' .. table.concat(parts, ',') .. '}')
redis.call('PUBLISH', ARGV[1] .. 'c:' .. redis.call('HGET', KEYS[1], 'inst'), 'a ' .. ARGV[4])
return 2
"
);

/// The answers of a resumed task, taken once. KEYS: task. Answers them, or nil.
pub(crate) const TAKE: &str = r"
local a = redis.call('HGET', KEYS[1], 'answers')
if a then redis.call('HDEL', KEYS[1], 'answers') end
return a
";

/// Cancels a task that has not ended and tells its instance. KEYS: task. ARGV: prefix,
/// timestamp, (unused), id. Answers 0 (gone), 1 (had ended) or 2 (cancelled).
pub(crate) const CANCEL: &str = concat!(
    prelude!(),
    r"
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return 0 end
if ended(s) then return 1 end
clear_input(KEYS[1])
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'updated', ARGV[2], 'pending', 0)
redis.call('PUBLISH', ARGV[1] .. 'c:' .. redis.call('HGET', KEYS[1], 'inst'), 'c ' .. ARGV[4])
return 2
"
);

/// The heartbeat: refreshes the instance's liveness key and answers the status of each task it
/// runs (nil for one gone). KEYS: liveness key. ARGV: prefix, liveness TTL ms, then task ids.
pub(crate) const HEARTBEAT: &str = r"
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
local statuses = {}
for i = 3, #ARGV do
  statuses[i - 2] = redis.call('HGET', ARGV[1] .. 't:' .. ARGV[i], 'status') or 'gone'
end
return statuses
";

/// Every script, for the lane to load again after Redis restarted.
pub(crate) const ALL: &[&str] = &[CREATE, GET, LIST, FINISH, ASK, ANSWER, TAKE, CANCEL, HEARTBEAT];
